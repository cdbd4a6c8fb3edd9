import type { Metadata } from "next";
import Link from "next/link";
import { requireAdminContext } from "@/lib/auth/page";
import { countUsersWhoseOnlyMethodIsSecurityKey, registeredKeyModels } from "@/lib/policy/queries";
import { roleRequirementWarnings } from "@/lib/policy/role-requirements";
import { adoptionSummary } from "@/lib/users/queries";
import { modelCatalogue } from "@/lib/webauthn/aaguids";
import type { OrgPolicy } from "@/lib/policy/rules";
import { formatDay } from "@/lib/validation/dates";
import { PageHeader, formatDateTime } from "../../../_components/ui";
import { SessionSettingsForm, type RoleNotMet, type SessionSettingsFormValues } from "./session-settings-form";

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
    adminRequirement: policy.adminRequirement,
    adminRequiredFrom: policy.adminRequiredFrom ? formatDay(policy.adminRequiredFrom) : "",
    standardRequirement: policy.standardRequirement,
    standardRequiredFrom: policy.standardRequiredFrom ? formatDay(policy.standardRequiredFrom) : "",
    sessionTimeoutMinutes: String(policy.sessionTimeoutMinutes),
    lockSessionsToIp: policy.lockSessionsToIp,
  };
}

/**
 * Who of each role has no security key the org's key policy accepts: the preview "Security key only" shows before a
 * save, from the warnings the Admin API's dry run gives (the day is the form's; the client says whether it is today).
 */
async function roleNotMet(ctx: Parameters<typeof roleRequirementWarnings>[0], policy: OrgPolicy): Promise<RoleNotMet> {
  const without = { ...policy, adminRequirement: "ANY_METHOD", standardRequirement: "ANY_METHOD" } as const;
  const keyOnly = { ...policy, allowSecurityKeys: true, adminRequirement: "SECURITY_KEY", standardRequirement: "SECURITY_KEY" } as const;
  const warnings = await roleRequirementWarnings(ctx, without, keyOnly);
  const sentence = (role: "ADMIN" | "STANDARD") => warnings.find((w) => w.role === role && w.code === "role-requirement-not-met")?.message ?? null;
  return { admin: sentence("ADMIN"), standard: sentence("STANDARD") };
}

export default async function SessionSettingsPage() {
  const ctx = await requireAdminContext();
  const { policy } = ctx;
  const [keyOnlyUsers, keyModels, adoption, notMet] = await Promise.all([
    countUsersWhoseOnlyMethodIsSecurityKey(ctx),
    registeredKeyModels(ctx),
    adoptionSummary(ctx),
    roleNotMet(ctx, policy),
  ]);
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
        roleNotMet={notMet}
      />
    </>
  );
}
