import "server-only";
import { recordEvent, withEvents, type EventOrigin } from "../events/record";
import { db } from "../db/client";
import { UserFacingError } from "../errors";
import { storedCodeHash } from "../crypto/code-hash";
import { randomCode } from "../verification/codes";
import { TEMPORARY_CODE_HOURS } from "../verification/temporary-codes";
import { createSetPasswordLink } from "./invitations";
import { enqueueSecurityEmail } from "./wasnt-me-links";

// The operator's side of "Admin recovery required" (`npm run user:recover`,
// scripts/user-recover.ts): an org's only active admin has no other admin to
// recover them. Run against the database by whoever runs the server; audited
// with the system as the actor (no user of the org did it).

export const OPERATOR = "The operator of your Gatehouse server";

export type OperatorRecovery =
  { kind: "temporary-code"; code: string; expiresAt: Date; setPasswordLink: string | null; setPasswordExpiresAt: Date | null } | { kind: "cleared" };

export interface OperatorRecoveryInput {
  orgSlug: string;
  username: string;
  /** How long the temporary code works: 1–24 hours (default 4). */
  hours?: number;
  /** Only clear "Admin recovery required" (the user still has a usable factor), issuing nothing. */
  clear?: boolean;
}

/**
 * Issues a temporary verification code for the user's next login (replacing an
 * unused one) and, when they have no password (a report voided it), a
 * set-password link: both printed for the operator to hand over in person,
 * never mailed (the mailbox may be what was compromised). With `clear`, only
 * clears "Admin recovery required".
 */
export async function recoverFromCommandLine(input: OperatorRecoveryInput, now = new Date()): Promise<OperatorRecovery> {
  const hours = input.hours ?? 4;
  if (!Number.isInteger(hours) || hours < TEMPORARY_CODE_HOURS.min || hours > TEMPORARY_CODE_HOURS.max) {
    throw new UserFacingError("--hours must be a whole number from 1 to 24.");
  }
  const user = await db().user.findFirst({
    where: { username: input.username.trim().toLowerCase(), org: { slug: input.orgSlug } },
    select: {
      id: true,
      orgId: true,
      name: true,
      username: true,
      email: true,
      isActive: true,
      passwordHash: true,
      adminRecoveryRequiredAt: true,
      org: { select: { name: true } },
    },
  });
  if (!user) throw new UserFacingError(`No user ${input.username} in an org with the slug ${input.orgSlug}.`);
  const by: EventOrigin = { orgId: user.orgId, actor: { kind: "system", id: null, name: "Command line: user:recover" }, request: null };
  const target = { id: user.id, name: user.name, username: user.username };

  if (input.clear) {
    if (!user.adminRecoveryRequiredAt) throw new UserFacingError(`${user.username} isn't waiting for admin recovery.`);
    await withEvents(async (tx) => {
      await tx.user.updateMany({ where: { id: user.id, orgId: user.orgId }, data: { adminRecoveryRequiredAt: null } });
      await recordEvent(by, { type: "user.admin_recovery.cleared", user: target }, tx);
    });
    return { kind: "cleared" };
  }

  if (!user.isActive) throw new UserFacingError(`${user.username} is deactivated.`);
  const code = randomCode(3, 4);
  const expiresAt = new Date(now.getTime() + hours * 3_600_000);
  return withEvents(async (tx) => {
    await tx.temporaryCode.deleteMany({ where: { userId: user.id, orgId: user.orgId, usedAt: null } });
    // The issuer column names a user of the org; the operator is none, so the code names its own user (audited as the system).
    const issued = await tx.temporaryCode.create({
      data: { orgId: user.orgId, userId: user.id, ...storedCodeHash(user.id, code), issuedById: user.id, expiresAt, createdAt: now },
    });
    const link = user.passwordHash ? null : await createSetPasswordLink(tx, { id: user.id, orgId: user.orgId }, "reset", now);
    await recordEvent(
      by,
      { type: "user.temporary_code.issued", user: target, data: { codeId: issued.id, hours, expiresAt, byOperator: true, withSetPasswordLink: link !== null } },
      tx,
    );
    await enqueueSecurityEmail(tx, {
      orgId: user.orgId,
      userId: user.id,
      to: user.email,
      template: "temporary-code-issued",
      summary: `${OPERATOR} issued you a temporary verification code.`,
      subjectId: issued.id,
      data: { name: user.name, orgName: user.org.name, issuedBy: OPERATOR, byOperator: true, expiresAt },
    });
    return { kind: "temporary-code" as const, code, expiresAt, setPasswordLink: link?.link ?? null, setPasswordExpiresAt: link?.expiresAt ?? null };
  });
}
