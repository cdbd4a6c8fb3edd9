import "server-only";
import { db } from "../db/client";
import { ForbiddenError, UserFacingError } from "../errors";
import type { OrgContext } from "./org-context";
import type { Principal, SystemPrincipal, TokenPrincipal } from "./principal";

// Step-up ("For security purposes, verify it's you") and mailbox proof are
// requirements of the entry point a browser drives (DESIGN.md section 11), not
// of the services behind it. The entry point declares them (`stepUp`,
// `mailboxProof` in orgAction/orgRoute) and earns them here, once per call,
// from the session's own row; what it earns is a brand on the context, and a
// service that needs the proof takes the branded type, so it cannot be called
// without it and never reads a session row itself. Only a session can step up:
// an API token or the system satisfies neither (their scope is the authority
// for admin changes, and they have no account of their own to change).

export const FRESH_AUTH_PROMPT = "For security purposes, verify it's you";

export class FreshAuthRequiredError extends UserFacingError {
  override readonly status = 401;
  readonly code = "fresh-auth-required";
  constructor() {
    super(`${FRESH_AUTH_PROMPT}.`);
  }
}

export const MAILBOX_PROOF_REQUIRED = "Confirm your email first: we'll email you a 6-digit code. Then register a security key or connect an authenticator app.";

/** A first factor offered before the session proved the user's mailbox (lib/verification/enrolment-proof.ts makes the proof). */
export class MailboxProofRequiredError extends ForbiddenError {
  override readonly code = "mailbox-proof-required";
  constructor() {
    super(MAILBOX_PROOF_REQUIRED);
    this.name = "MailboxProofRequiredError";
  }
}

declare const steppedUpBrand: unique symbol;
declare const mailboxProvedBrand: unique symbol;

/** A session that re-authenticated within the org's window, as its entry point checked. */
export type SteppedUp<C extends OrgContext = OrgContext> = C & { readonly [steppedUpBrand]: true };
/** A session that is not enrolling a first factor, or proved its mailbox (DESIGN.md section 9). */
export type MailboxProved<C extends OrgContext = OrgContext> = C & { readonly [mailboxProvedBrand]: true };
/** Who may make a sensitive admin change: a session that stepped up, or a token or the system with the permission. */
export type Elevated = SteppedUp | TokenPrincipal | SystemPrincipal;

const steppedUp = new WeakSet<object>();
const mailboxProved = new WeakSet<object>();

async function sessionProofs(ctx: OrgContext) {
  return db().session.findFirst({
    where: { id: ctx.sessionId, orgId: ctx.orgId, userId: ctx.userId, revokedAt: null },
    select: { freshAuthAt: true, mailboxProvedAt: true },
  });
}

function fresh(at: Date | null | undefined, ctx: OrgContext, now: Date): boolean {
  return Boolean(at && now.getTime() - at.getTime() <= ctx.policy.reauthWindowMinutes * 60_000 && at.getTime() <= now.getTime());
}

/** True when the user re-authenticated on this session within the org's window. */
export async function hasFreshAuth(ctx: OrgContext, now = new Date()): Promise<boolean> {
  return fresh((await sessionProofs(ctx))?.freshAuthAt, ctx, now);
}

/** The context branded as stepped up, or FreshAuthRequiredError. For entry points (and tests standing in for one). */
export async function stepUp<C extends OrgContext>(ctx: C, now = new Date()): Promise<SteppedUp<C>> {
  if (!(await hasFreshAuth(ctx, now))) throw new FreshAuthRequiredError();
  steppedUp.add(ctx);
  return ctx as SteppedUp<C>;
}

/** True for a context its entry point stepped up, and for tokens and the system (no browser to step up). */
export function isElevated(principal: Principal): principal is Elevated {
  return principal.kind === "api-token" || principal.kind === "system" || steppedUp.has(principal);
}

/** For services whose step-up depends on their input (granting Admin): refuses a session its entry point did not step up. */
export function requireElevated(principal: Principal): asserts principal is Elevated {
  if (!isElevated(principal)) throw new FreshAuthRequiredError();
}

/**
 * The context branded as mailbox-proved. While the user is enrolling a first
 * factor under the org's MFA requirement, that needs the emailed enrolment
 * code on this session (lib/verification/enrolment-proof.ts); otherwise it
 * holds at once.
 */
export async function proveMailbox<C extends OrgContext>(ctx: C): Promise<MailboxProved<C>> {
  // Also a session limited to registering the key its role requires (DESIGN.md section 14): the same proof first.
  const enrolling = (ctx.mfa.required && ctx.mfa.secondFactors.length === 0) || Boolean(ctx.mfa.keyRequirement?.due);
  if (enrolling && !(await sessionProofs(ctx))?.mailboxProvedAt) throw new MailboxProofRequiredError();
  mailboxProved.add(ctx);
  return ctx as MailboxProved<C>;
}

/** Records a successful re-authentication on this session. */
export async function markFresh(ctx: OrgContext, now = new Date()): Promise<void> {
  await db().session.updateMany({ where: { id: ctx.sessionId, orgId: ctx.orgId, revokedAt: null }, data: { freshAuthAt: now } });
}
