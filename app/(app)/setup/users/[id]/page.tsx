import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireAdminContext } from "@/lib/auth/page";
import { listUserDevices } from "@/lib/auth/login/devices";
import { describeBrowser } from "@/lib/http/request-info";
import { findUser } from "@/lib/users/queries";
import { listCompromiseReports } from "@/lib/users/compromise";
import { listUserKeys } from "@/lib/webauthn/keys";
import { countUserRecoveryCodesLeft } from "@/lib/verification/recovery-codes";
import { userHasAuthenticatorApp } from "@/lib/verification/authenticator-app";
import { idSchema } from "@/lib/validation/account";
import { Alert, Badge, Card, DescriptionList, PageHeader, formatDateTime } from "../../../../_components/ui";
import { KeyModel } from "../../../../_components/key-model";
import { ActionButton } from "../../../../_components/action-button";
import { DeviceList } from "../../../../_components/device-list";
import {
  clearKeyFlagAction,
  disconnectUserAuthenticatorAction,
  invalidateRecoveryCodesAction,
  resendInvitationAction,
  resetUserPasswordAction,
  revokeSessionAction,
  revokeUserDeviceAction,
  setUserActiveAction,
} from "../actions";
import { IssueTemporaryCode, RemoveUserKey, RoleSelect } from "./user-methods";
import { AdminRecovery } from "./admin-recovery";
import { adminRecoveryOf } from "@/lib/users/admin-recovery";
import { formatIp } from "@/lib/format";

export const metadata: Metadata = { title: "User" };

export default async function UserPage({ params }: { params: Promise<{ id: string }> }) {
  const ctx = await requireAdminContext();
  const { id } = await params;
  if (!idSchema.safeParse(id).success) notFound();
  const user = await findUser(ctx, id);
  if (!user) notFound();
  const [keys, devices, recoveryCodesLeft, appConnected, reports, recovery] = await Promise.all([
    listUserKeys(ctx, user.id),
    listUserDevices(ctx, user.id),
    countUserRecoveryCodesLeft(ctx, user.id),
    userHasAuthenticatorApp(ctx, user.id),
    listCompromiseReports(ctx, user.id),
    adminRecoveryOf(ctx, user.id),
  ]);

  // "Reset password" needs the admin's fresh "verify it's you"; the user is emailed a link and signed out everywhere.
  const resetPassword = (
    <ActionButton
      action={resetUserPasswordAction}
      input={{ userId: user.id }}
      confirm={`Send ${user.name} a reset link and end their sessions?`}
      done={`Password reset. We emailed ${user.name} a link to choose a new one and ended their sessions.`}
    >
      Reset password
    </ActionButton>
  );
  return (
    <>
      <PageHeader
        title={user.name}
        description={user.username}
        actions={
          // Deactivating or reactivating someone needs the admin's fresh "verify it's you" (the button asks for it).
          user.id !== ctx.userId ? (
            <ActionButton
              action={setUserActiveAction}
              input={{ userId: user.id, active: String(!user.isActive) }}
              variant={user.isActive ? "danger" : "secondary"}
            >
              {user.isActive ? "Deactivate" : "Reactivate"}
            </ActionButton>
          ) : undefined
        }
      />
      <div className="space-y-6">
        {recovery && (recovery.required || recovery.factors.length > 0) && (
          <AdminRecovery userId={user.id} userName={user.name} recovery={recovery} isSelf={user.id === ctx.userId} />
        )}
        {reports.length > 0 && (
          <Alert tone="warning">
            <p className="font-medium">This user reported changes they didn't make (“This wasn't me”)</p>
            <ul className="mt-1 list-disc pl-5" aria-label="This wasn't me reports">
              {reports.map((report) => (
                <li key={report.id}>
                  {formatDateTime(report.confirmedAt!)}: {report.summary} From {report.confirmedIp ?? "an unknown IP address"}.
                </li>
              ))}
            </ul>
          </Alert>
        )}
        <Card title="User detail">
          <DescriptionList
            items={[
              { term: "Username", value: user.username },
              { term: "Email", value: user.email },
              {
                term: "Role",
                value:
                  user.id === ctx.userId ? (
                    <Badge tone={user.role === "ADMIN" ? "blue" : "slate"}>{user.role === "ADMIN" ? "Admin" : "Standard"}</Badge>
                  ) : (
                    <RoleSelect userId={user.id} userName={user.name} role={user.role} />
                  ),
              },
              { term: "Status", value: user.isActive ? <Badge tone="green">Active</Badge> : <Badge tone="red">Inactive</Badge> },
              {
                term: "Password",
                value: user.hasPassword ? (
                  <div className="flex flex-wrap items-center justify-between gap-3">
                    <span>Set</span>
                    {user.isActive && user.id !== ctx.userId && resetPassword}
                  </div>
                ) : user.pendingInvitation?.purpose === "reset" ? (
                  <div className="flex flex-wrap items-center justify-between gap-3">
                    <span className="text-slate-600">
                      Reset.{" "}
                      {user.pendingInvitation.expiresAt > new Date()
                        ? `The link to choose a new one expires ${formatDateTime(user.pendingInvitation.expiresAt)}.`
                        : "The link to choose a new one has expired."}
                    </span>
                    {user.isActive && user.id !== ctx.userId && resetPassword}
                  </div>
                ) : (
                  <div className="flex flex-wrap items-center justify-between gap-3">
                    <span className="text-slate-600">
                      Not set yet.{" "}
                      {user.pendingInvitation && user.pendingInvitation.expiresAt > new Date()
                        ? `Invitation link expires ${formatDateTime(user.pendingInvitation.expiresAt)}.`
                        : "The invitation link has expired."}
                    </span>
                    {user.isActive && (
                      <ActionButton action={resendInvitationAction} input={{ userId: user.id }} done="Invitation sent.">
                        Send a new invitation
                      </ActionButton>
                    )}
                  </div>
                ),
              },
              { term: "Created", value: formatDateTime(user.createdAt) },
            ]}
          />
        </Card>
        <Card title="Security keys" description="Keys this user registered in Advanced User Details.">
          {keys.length === 0 ? (
            <p className="text-sm text-slate-500">No security keys registered.</p>
          ) : (
            <ul className="divide-y divide-slate-100" aria-label="Security keys">
              {keys.map((key) => (
                <li key={key.id} className="flex flex-wrap items-center justify-between gap-4 py-3 text-sm">
                  <div>
                    <p className="flex items-center gap-2 font-medium text-slate-800">
                      {key.name}
                      {key.flagged && <Badge tone="red">Possible cloned key</Badge>}
                      {key.suspended && <Badge tone="amber">Suspended</Badge>}
                    </p>
                    {key.flagged && (
                      <p className="max-w-prose text-red-700">
                        Its sign counter went backwards: a copy of this key may be in use. It can't be used until you clear the flag (if you're satisfied it
                        wasn't copied) or remove it.
                      </p>
                    )}
                    <p className="text-slate-500">
                      <KeyModel securityKey={key} /> · added {formatDateTime(key.createdAt)} · last used{" "}
                      {key.lastUsedAt ? formatDateTime(key.lastUsedAt) : "never"}
                    </p>
                  </div>
                  <div className="flex flex-wrap items-start gap-2">
                    {key.flagged && (
                      <ActionButton action={clearKeyFlagAction} input={{ userId: user.id, keyId: key.id }} label={`Clear the flag on ${key.name}`}>
                        Clear flag
                      </ActionButton>
                    )}
                    <RemoveUserKey userId={user.id} keyId={key.id} keyName={key.name} />
                  </div>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title="Authenticator app" description="Time-based codes from an app on the user's phone.">
          <div className="flex flex-wrap items-center justify-between gap-4 text-sm">
            <p className="text-slate-700">{appConnected ? "Connected." : "Not connected."}</p>
            {appConnected && (
              <ActionButton
                action={disconnectUserAuthenticatorAction}
                input={{ userId: user.id }}
                label={`Disconnect ${user.name}'s authenticator app`}
                variant="danger"
              >
                Disconnect
              </ActionButton>
            )}
          </div>
        </Card>
        <Card title="Recovery codes" description="One-time codes the user saved for logging in without their key.">
          <div className="flex flex-wrap items-center justify-between gap-4 text-sm">
            <p className="text-slate-700">{recoveryCodesLeft === 0 ? "No recovery codes." : `${recoveryCodesLeft} of 10 recovery codes left.`}</p>
            {recoveryCodesLeft > 0 && (
              <ActionButton
                action={invalidateRecoveryCodesAction}
                input={{ userId: user.id }}
                label={`Invalidate ${user.name}'s recovery codes`}
                variant="danger"
              >
                Invalidate
              </ActionButton>
            )}
          </div>
        </Card>
        {user.isActive && user.id !== ctx.userId && (
          <Card
            title="Temporary verification code"
            description="For a user who lost their verification methods: a single-use code for the Verify your identity page. You'll be asked to verify it's you first."
          >
            <IssueTemporaryCode userId={user.id} userName={user.name} />
          </Card>
        )}
        <Card title="Activated devices" description="Browsers that passed device activation for this user. Revoke one and its next login must verify again.">
          <DeviceList devices={devices} revoke={revokeUserDeviceAction} inputFor={(device) => ({ userId: user.id, deviceId: device.id })} />
        </Card>
        <Card title="Sessions" description="Browsers where this user is logged in.">
          {user.sessions.length === 0 ? (
            <p className="text-sm text-slate-500">No active sessions.</p>
          ) : (
            <ul className="divide-y divide-slate-100">
              {user.sessions.map((session) => (
                <li key={session.id} className="flex items-center justify-between gap-4 py-3 text-sm">
                  <div>
                    <p className="font-medium text-slate-800">{describeBrowser(session.userAgent)}</p>
                    <p className="text-slate-500">
                      {session.ip ? formatIp(session.ip) : "Unknown IP"} · logged in {formatDateTime(session.createdAt)} · last active{" "}
                      {formatDateTime(session.lastSeenAt)}
                    </p>
                  </div>
                  {session.id !== ctx.sessionId && (
                    <ActionButton action={revokeSessionAction} input={{ userId: user.id, sessionId: session.id }}>
                      Log out
                    </ActionButton>
                  )}
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </>
  );
}
