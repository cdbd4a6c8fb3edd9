import type { Metadata } from "next";
import { requireOrgContext } from "@/lib/auth/page";
import { cookies } from "next/headers";
import { deviceCookieName, knownDeviceId, listOwnDevices } from "@/lib/auth/login/devices";
import { maskEmail } from "@/lib/format";
import { describeBrowser } from "@/lib/http/request-info";
import { getOwnAccount, listOwnSessions } from "@/lib/users/queries";
import { listOwnRecentVerifications } from "@/lib/verification/queries";
import { countRecoveryCodesLeft } from "@/lib/verification/recovery-codes";
import { enrolmentProofOf } from "@/lib/verification/enrolment-proof";
import { hasAuthenticatorApp } from "@/lib/verification/authenticator-app";
import { listOwnKeys } from "@/lib/webauthn/keys";
import { MAX_KEYS_PER_USER, keySettingsOf } from "@/lib/webauthn/settings";
import { Alert, Badge, Card, DescriptionList, PageHeader, formatDateTime } from "../../../_components/ui";
import { ActionButton } from "../../../_components/action-button";
import { DeviceList } from "../../../_components/device-list";
import { KeyRequirementNotice } from "../../../_components/key-requirement-notice";
import { endOwnSessionAction, revokeOwnDeviceAction } from "./actions";
import { AuthenticatorApp } from "./authenticator-app";
import { ChangePassword } from "./change-password";
import { ConfirmEmail } from "./confirm-email";
import { RecoveryCodes } from "./recovery-codes";
import { SecurityKeys } from "./security-keys";
import { formatIp } from "@/lib/format";

export const metadata: Metadata = { title: "Advanced User Details" };

export default async function AdvancedUserDetailsPage() {
  const ctx = await requireOrgContext({ enrolmentPage: true });
  const { policy, mfa } = ctx;
  const settings = keySettingsOf(policy);
  const [account, keys, sessions, verifications, devices, recoveryCodesLeft, appConnected, proof] = await Promise.all([
    getOwnAccount(ctx),
    listOwnKeys(ctx),
    listOwnSessions(ctx),
    listOwnRecentVerifications(ctx),
    listOwnDevices(ctx),
    countRecoveryCodesLeft(ctx),
    hasAuthenticatorApp(ctx),
    enrolmentProofOf(ctx),
  ]);
  const thisDeviceId = await knownDeviceId({ id: ctx.userId, orgId: ctx.orgId }, (await cookies()).get(deviceCookieName())?.value);
  return (
    <>
      <PageHeader title="Advanced User Details" description="Your account and how you verify your identity." />
      <div className="space-y-6">
        {mfa.enrolmentDue && (
          <Alert tone="warning">
            {ctx.orgName} requires multi-factor authentication. Register a security key
            {policy.allowTotp ? " or connect an authenticator app" : ""} to continue.
          </Alert>
        )}
        <KeyRequirementNotice orgName={ctx.orgName} status={mfa.keyRequirement} registerHere />
        {proof.needed && (
          <Card
            title="Confirm your email first"
            description="Before you register a security key or connect an authenticator app, prove this account's mailbox is yours."
          >
            <ConfirmEmail emailHint={maskEmail(account.email)} codeSent={proof.codeSent} />
          </Card>
        )}
        <Card title="User detail">
          <DescriptionList
            items={[
              { term: "Name", value: account.name },
              { term: "Username", value: account.username },
              { term: "Email", value: account.email },
              { term: "Role", value: <Badge tone={account.role === "ADMIN" ? "blue" : "slate"}>{account.role === "ADMIN" ? "Admin" : "Standard"}</Badge> },
              { term: "Org", value: ctx.orgName },
              { term: "Member since", value: formatDateTime(account.createdAt) },
            ]}
          />
        </Card>
        <Card title="Password" description="The password you log in with.">
          <ChangePassword username={account.username} />
        </Card>
        <Card
          title="Security Key (U2F)"
          description={
            policy.authenticatorType === "SECURITY_KEYS_AND_PASSKEYS"
              ? "Security keys (FIDO U2F or FIDO2) and passkeys (on this phone or computer: Touch ID, Windows Hello, Android) that verify it's you."
              : "Physical security keys (FIDO U2F or FIDO2) that verify it's you."
          }
        >
          <SecurityKeys keys={keys} keysAllowed={settings.keysAllowed} maxKeys={MAX_KEYS_PER_USER} locked={proof.needed} isAdmin={ctx.role === "ADMIN"} />
        </Card>
        <Card title="Active sessions" description="Browsers where you are logged in. Log out any you don't recognise.">
          <ul className="divide-y divide-slate-100" aria-label="Active sessions">
            {sessions.map((session) => (
              <li key={session.id} className="flex items-center justify-between gap-4 py-3 text-sm">
                <div>
                  <p className="font-medium text-slate-800">
                    {describeBrowser(session.userAgent)}
                    {session.id === ctx.sessionId && <span className="ml-2 text-xs font-normal text-emerald-700">This browser</span>}
                  </p>
                  <p className="text-slate-500">
                    {session.ip ? formatIp(session.ip) : "Unknown IP"} · logged in {formatDateTime(session.createdAt)} · last active{" "}
                    {formatDateTime(session.lastSeenAt)}
                  </p>
                </div>
                {session.id !== ctx.sessionId && (
                  <ActionButton
                    action={endOwnSessionAction}
                    input={{ sessionId: session.id }}
                    label={`Log out ${describeBrowser(session.userAgent)} logged in ${formatDateTime(session.createdAt)}`}
                  >
                    Log out
                  </ActionButton>
                )}
              </li>
            ))}
          </ul>
        </Card>
        {(policy.allowTotp || appConnected) && (
          <Card title="Authenticator app" description="Time-based codes (TOTP) from an app on your phone.">
            <AuthenticatorApp connected={appConnected} locked={proof.needed} />
          </Card>
        )}
        <Card title="Recovery codes" description="One-time codes for logging in when you can't use your security key.">
          <RecoveryCodes left={recoveryCodesLeft} />
        </Card>
        <Card title="Activated devices" description="Browsers that passed device activation. Revoke one and its next login must verify it's you again.">
          <DeviceList devices={devices} revoke={revokeOwnDeviceAction} inputFor={(device) => ({ deviceId: device.id })} currentId={thisDeviceId} />
        </Card>
        <Card title="Recent identity verifications" description="Your latest logins, device activations, re-authentications and security key changes.">
          {verifications.length === 0 ? (
            <p className="text-sm text-slate-500">Nothing yet.</p>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm" aria-label="Recent identity verifications">
              {verifications.map((event) => (
                <li key={event.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                  <span className="text-slate-800">
                    {event.activity} · {event.method}
                    {/* Which key: a successful key row's detail is the key's name. */}
                    {event.result === "Succeeded" && /security key/i.test(event.method) && event.detail && (
                      <span className="text-slate-500"> · {event.detail}</span>
                    )}
                  </span>
                  <span className="flex items-center gap-3 text-slate-500">
                    <Badge tone={event.result === "Succeeded" ? "green" : "red"}>{event.result}</Badge>
                    {formatDateTime(event.createdAt)} · {event.ip ? formatIp(event.ip) : "Unknown IP"}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </>
  );
}
