import type { Metadata } from "next";
import Link from "next/link";
import { requireAdminContext } from "@/lib/auth/page";
import { daysUntil, formatDate } from "@/lib/format";
import { countUsersNotMeetingTheirRole } from "@/lib/policy/role-requirements";
import type { OrgPolicy } from "@/lib/policy/rules";
import { adoptionSummary, type AdoptionSummary } from "@/lib/users/queries";
import { mdsStatus } from "@/lib/webauthn/trust/store";
import { claimedKeysSentence } from "../../_components/key-model";
import { ButtonLink, Card, PageHeader } from "../../_components/ui";
import { FidoMetadataStatus } from "./fido-metadata-status";

export const metadata: Metadata = { title: "Setup" };

interface ChecklistStep {
  done: boolean;
  title: string;
  detail: string;
  href: string;
  action: string;
  /** Keep the link once done (where it leads to what is still missing). */
  linkWhenDone?: boolean;
}

const users = (n: number) => `${n} active user${n === 1 ? "" : "s"}`;

/** Done only once keys are allowed and someone has registered one: allowing them alone protects nobody. */
function securityKeyStep(allowed: boolean, adoption: AdoptionSummary): ChecklistStep {
  const title = "Turn on security keys";
  if (!allowed) {
    return {
      done: false,
      title,
      detail: "Let users verify their identity with a physical security key.",
      href: "/setup/session-settings",
      action: "Open Session Settings",
    };
  }
  if (adoption.withKey === 0) {
    return {
      done: false,
      title,
      detail: "Security keys are allowed, but nobody has registered one yet. Start with your own in Advanced User Details.",
      href: "/settings/advanced",
      action: "Register a security key",
    };
  }
  const counts = `${adoption.withKey} of ${users(adoption.activeUsers)} ${adoption.withKey === 1 ? "has" : "have"} a security key; ${adoption.withNothing} ${adoption.withNothing === 1 ? "has" : "have"} no verification method.`;
  return {
    done: true,
    title,
    detail: [counts, claimedKeysSentence(adoption)].filter(Boolean).join(" "),
    href: "/setup/users?method=none",
    action: "Users without a method",
    linkWhenDone: adoption.withNothing > 0,
  };
}

/** Only once a role requires a key (DESIGN.md section 14): done when every active user meets their role's requirement. */
function roleRequirementStep(policy: OrgPolicy, notMeeting: number): ChecklistStep[] {
  if (policy.adminRequirement !== "SECURITY_KEY" && policy.standardRequirement !== "SECURITY_KEY") return [];
  return [
    {
      done: notMeeting === 0,
      title: "Get everyone a security key their role requires",
      detail:
        notMeeting === 0
          ? "Every active user meets their role's requirement."
          : `${users(notMeeting)} ${notMeeting === 1 ? "doesn't" : "don't"} meet their role's requirement yet.`,
      href: "/setup/users?method=role-requirement",
      action: "Users who don't meet their role's requirement",
    },
  ];
}

/** Setup home: what's left to set up, and how far the org's users have come. */
export default async function SetupHome() {
  const ctx = await requireAdminContext();
  const [adoption, notMeeting] = await Promise.all([adoptionSummary(ctx), countUsersNotMeetingTheirRole(ctx)]);
  const { policy } = ctx;
  const mfaDate = policy.requireMfa && policy.mfaRequiredFrom ? policy.mfaRequiredFrom : null;
  const daysLeft = mfaDate ? daysUntil(mfaDate) : null;
  const steps: ChecklistStep[] = [
    securityKeyStep(policy.allowSecurityKeys, adoption),
    {
      done: policy.requireMfa,
      title: "Require MFA and set a date",
      detail: policy.requireMfa
        ? mfaDate
          ? `Required from ${formatDate(mfaDate)}; until then users may skip it.`
          : "Required now for every direct UI login."
        : "Give users a grace period with the “MFA required from” date, then everyone needs a second step.",
      href: "/setup/session-settings",
      action: "Open Session Settings",
    },
    {
      done: adoption.totalUsers > 1,
      title: "Invite users",
      detail: adoption.totalUsers > 1 ? `${adoption.totalUsers} users in ${ctx.orgName}.` : "Each user gets a “Set your password” email.",
      href: "/setup/users/new",
      action: "Add a user",
    },
    ...roleRequirementStep(policy, notMeeting),
  ];
  const left = steps.filter((s) => !s.done).length;
  return (
    <>
      <PageHeader title="Setup" description={`Administer ${ctx.orgName}: security policy, users and what happened.`} />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Get started" description={left === 0 ? "All done. Adjust any of it in Session Settings." : `${left} of ${steps.length} steps left.`}>
          <ol className="space-y-4" aria-label="Setup checklist">
            {steps.map((step) => (
              <li key={step.title} className="flex gap-3">
                <span
                  aria-hidden
                  className={`mt-0.5 grid h-5 w-5 shrink-0 place-items-center rounded-full text-xs font-bold ${
                    step.done ? "bg-emerald-600 text-white" : "border-2 border-slate-300 text-transparent"
                  }`}
                >
                  ✓
                </span>
                <div className="min-w-0">
                  <p className="text-sm font-medium text-slate-900">
                    {step.title}
                    <span className="sr-only">{step.done ? " (done)" : " (to do)"}</span>
                  </p>
                  <p className="text-sm text-slate-500">{step.detail}</p>
                  {(!step.done || step.linkWhenDone) && (
                    <Link href={step.href} className="mt-1 inline-block text-sm font-medium text-brand-600 hover:text-brand-700">
                      {step.action}
                    </Link>
                  )}
                </div>
              </li>
            ))}
          </ol>
        </Card>
        <Card
          title="Adoption"
          description={`How the ${adoption.activeUsers} active user${adoption.activeUsers === 1 ? "" : "s"} ${adoption.activeUsers === 1 ? "verifies" : "verify"} their identity.`}
        >
          <AdoptionChart adoption={adoption} />
          {daysLeft !== null && (
            <p className="mt-4 rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-800">
              {daysLeft === 0
                ? `MFA is required from today (${formatDate(mfaDate!)}).`
                : `${daysLeft} day${daysLeft === 1 ? "" : "s"} left until MFA is required (${formatDate(mfaDate!)}).`}
              {adoption.withNothing > 0 && ` ${adoption.withNothing} user${adoption.withNothing === 1 ? " has" : "s have"} no second step yet.`}
            </p>
          )}
          <div className="mt-4">
            <ButtonLink href="/setup/users?method=none" variant="secondary">
              Users without a method
            </ButtonLink>
          </div>
        </Card>
      </div>
      <FidoMetadataStatus status={mdsStatus()} />
    </>
  );
}

const SEGMENTS = [
  { key: "withKey", label: "Security key", color: "bg-emerald-500", fill: "fill-emerald-500" },
  { key: "withAppOnly", label: "Authenticator app only", color: "bg-brand-500", fill: "fill-brand-500" },
  { key: "withNothing", label: "Password only", color: "bg-slate-300", fill: "fill-slate-300" },
] as const;

/** One stacked bar and its legend, with the numbers in words for screen readers. */
function AdoptionChart({ adoption }: { adoption: AdoptionSummary }) {
  const total = Math.max(1, adoption.activeUsers);
  let x = 0;
  const bars = SEGMENTS.map((segment) => {
    const width = (adoption[segment.key] / total) * 100;
    const bar = { key: segment.key, x, width, fill: segment.fill };
    x += width;
    return bar;
  });
  return (
    <figure>
      {/* SVG geometry, not inline styles: the Content-Security-Policy refuses style attributes. */}
      <svg aria-hidden viewBox="0 0 100 4" preserveAspectRatio="none" className="h-4 w-full overflow-hidden rounded-full bg-slate-100">
        {bars.map((bar) => (bar.width > 0 ? <rect key={bar.key} x={bar.x} y={0} width={bar.width} height={4} className={bar.fill} /> : null))}
      </svg>
      <figcaption>
        <ul className="mt-3 flex flex-wrap gap-x-5 gap-y-1 text-sm">
          {SEGMENTS.map((segment) => (
            <li key={segment.key} className="flex items-center gap-2 text-slate-600">
              <span aria-hidden className={`h-2.5 w-2.5 rounded-full ${segment.color}`} />
              {segment.label}: <span className="font-medium text-slate-900">{adoption[segment.key]}</span>
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
