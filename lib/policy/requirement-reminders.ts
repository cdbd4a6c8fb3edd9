import "server-only";
import { systemPrincipal } from "../auth/principal";
import { db } from "../db/client";
import type { Role } from "../db/generated/client";
import { enqueueEmail } from "../email/outbox";
import { env } from "../env";
import { usersNotMeetingTheirRole } from "./role-requirements";
import { daysUntil } from "../format";
import { roleRequirementOf, policyFromRow } from "./rules";

// Before a role's "Security key only" takes effect (DESIGN.md section 14), each
// user of the role without a key the org accepts gets one email a week before
// and one the day before. Swept hourly in the background; RequirementReminder
// (its key: user, day, 7 or 1) makes each reminder go once, whatever the
// number of instances or sweeps, and a new day is a new pair of reminders.

const DAY_MS = 86_400_000;

/** Which reminder is due at `now` for a requirement from `requiredFrom`: 1 on the last day before it, 7 in the week before, else null. */
export function reminderDue(requiredFrom: Date, now: Date): 7 | 1 | null {
  const left = requiredFrom.getTime() - now.getTime();
  if (left <= 0) return null;
  if (left <= DAY_MS) return 1;
  if (left <= 7 * DAY_MS) return 7;
  return null;
}

/** Sends the reminders due at `now` across every org; returns how many were queued. Safe to run concurrently and repeatedly. */
export async function sendRequirementReminders(now = new Date()): Promise<number> {
  const horizon = new Date(now.getTime() + 7 * DAY_MS);
  const soon = { gt: now, lte: horizon };
  const rows = await db().orgSettings.findMany({
    where: {
      OR: [
        { adminRequirement: "SECURITY_KEY", adminRequiredFrom: soon },
        { standardRequirement: "SECURITY_KEY", standardRequiredFrom: soon },
      ],
    },
    include: { org: { select: { name: true } } },
  });
  let sent = 0;
  for (const row of rows) {
    const policy = policyFromRow(row);
    const due = (["ADMIN", "STANDARD"] as const).flatMap((role) => {
      const { requirement, requiredFrom } = roleRequirementOf(policy, role, now);
      const daysBefore = requirement === "SECURITY_KEY" && requiredFrom ? reminderDue(requiredFrom, now) : null;
      return daysBefore && requiredFrom ? [{ role, requiredFrom, daysBefore }] : [];
    });
    if (due.length === 0) continue;
    const missing = await usersNotMeetingTheirRole(await systemPrincipal({ id: row.orgId }, "Requirement reminders"), now);
    for (const reminder of due) {
      for (const user of missing.filter((u) => u.role === reminder.role)) {
        sent += await remindOnce(row.orgId, row.org.name, user.id, reminder, now);
      }
    }
  }
  return sent;
}

/** One reminder, once: its RequirementReminder row and its email in one transaction (a second sweep finds the row). */
async function remindOnce(
  orgId: string,
  orgName: string,
  userId: string,
  reminder: { role: Role; requiredFrom: Date; daysBefore: 7 | 1 },
  now: Date,
): Promise<number> {
  try {
    return await db().$transaction(async (tx) => {
      const { count } = await tx.requirementReminder.createMany({
        data: [{ orgId, userId, requiredFrom: reminder.requiredFrom, daysBefore: reminder.daysBefore, sentAt: now }],
        skipDuplicates: true,
      });
      if (count === 0) return 0;
      const user = await tx.user.findFirstOrThrow({ where: { id: userId, orgId }, select: { email: true, name: true } });
      await enqueueEmail(tx, {
        orgId,
        to: user.email,
        template: "role-requirement-reminder",
        data: {
          name: user.name,
          orgName,
          requiredFrom: reminder.requiredFrom,
          daysLeft: Math.min(7, Math.max(1, daysUntil(reminder.requiredFrom, now))),
          manageLink: `${env().APP_URL}/settings/advanced`,
        },
      });
      return 1;
    });
  } catch (error) {
    // One refused email (a quota) leaves no row: the next sweep tries again. The others still go.
    console.error("[gatehouse] requirement reminder failed", error);
    return 0;
  }
}

const SWEEP_EVERY_MS = 60 * 60_000;
let timer: NodeJS.Timeout | null = null;

/** Sends due reminders a minute after startup and then hourly, in the background (like the retention sweep). */
export function startRequirementReminders(log: (message: string) => void): void {
  if (timer) return;
  const run = () =>
    void sendRequirementReminders().then(
      (sent) => {
        if (sent > 0) log(`requirements by role: ${sent} reminder${sent === 1 ? "" : "s"} queued`);
      },
      (error: unknown) => console.error("[gatehouse] requirement reminders failed", error),
    );
  timer = setTimeout(function tick() {
    run();
    timer = setTimeout(tick, SWEEP_EVERY_MS).unref();
  }, 60_000).unref();
}
