import type { Metadata } from "next";
import Link from "next/link";
import { requireAdminContext } from "@/lib/auth/page";
import { countUsersWhoseOnlyMethodIsSecurityKey, registeredKeyModels } from "@/lib/policy/queries";
import { adoptionSummary } from "@/lib/users/queries";
import { modelCatalogue } from "@/lib/webauthn/aaguids";
import type { OrgPolicy } from "@/lib/policy/rules";
import { formatDay } from "@/lib/validation/dates";
import { PageHeader, formatDateTime } from "../../../_components/ui";
import { SessionSettingsForm, type SessionSettingsFormValues } from "./session-settings-form";

export const metadata: Metadata = { title: "Session Settings" };

/** The stored policy as the form's initial values (plain strings and booleans for the client). */
function toFormValues(policy: OrgPolicy): SessionSettingsFormValues {
  return {
    version: policy.version,
    allowSecurityKeys: policy.allowSecurityKeys,
    requireMfa: policy.requireMfa,
    mfaRequiredFrom: policy.mfaRequiredFrom ? formatDay(policy.mfaRequiredFrom) : "",
    allowTotp: policy.allowTotp,
    requireDeviceActivation: policy.requireDeviceActivation,
    reauthWindowMinutes: String(policy.reauthWindowMinutes),
    userVerification: policy.userVerification,
    authenticatorType: policy.authenticatorType,
    requireVerifiedModels: policy.requireVerifiedModels,
    allowedAaguids: policy.allowedAaguids.join("\n"),
    blockedAaguids: policy.blockedAaguids.join("\n"),
    sessionTimeoutMinutes: String(policy.sessionTimeoutMinutes),
    lockSessionsToIp: policy.lockSessionsToIp,
  };
}

export default async function SessionSettingsPage() {
  const ctx = await requireAdminContext();
  const { policy } = ctx;
  const [keyOnlyUsers, keyModels, adoption] = await Promise.all([countUsersWhoseOnlyMethodIsSecurityKey(ctx), registeredKeyModels(ctx), adoptionSummary(ctx)]);
  return (
    <>
      <PageHeader
        title="Session Settings"
        description={
          <>
            How the users of {ctx.orgName} verify their identity, and how long their sessions last.{" "}
            {policy.updatedAt ? `Last saved ${formatDateTime(policy.updatedAt)}.` : "These are the defaults; nobody has changed them yet."}{" "}
            <Link href="/setup/audit-trail" className="font-medium text-brand-600 hover:text-brand-700">
              View Setup Audit Trail
            </Link>
          </>
        }
      />
      <SessionSettingsForm
        initial={toFormValues(policy)}
        keyOnlyUserCount={keyOnlyUsers}
        usersWithoutSecondFactor={adoption.withNothing}
        models={modelCatalogue()}
        keyModels={keyModels}
      />
    </>
  );
}
