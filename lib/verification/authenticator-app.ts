import "server-only";
import crypto from "node:crypto";
import { renderSVG } from "uqr";
import type { Elevated, MailboxProved, SteppedUp } from "../auth/freshness";
import type { OrgContext, PendingLoginSubject, UserSubject } from "../auth/org-context";
import { requirePermission, type Principal } from "../auth/principal";
import { open, seal } from "../crypto/seal";
import { db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { enqueueSecurityEmail } from "../users/wasnt-me-links";
import { env } from "../env";
import { NotFoundError, UserFacingError } from "../errors";
import { describeBrowser, type RequestInfo } from "../http/request-info";
import { recordEvent, withEvents } from "../events/record";
import { lockUserRow } from "../users/locks";
import { assertNotLastRequiredMethod } from "./methods";
import { COUNTED_APP, USABLE_APP } from "./second-factors";
import { base32Encode, matchingStep, otpauthUri } from "./totp";

// The authenticator app (DESIGN.md section 4): enrolment after "verify it's
// you" shows a QR code and the text secret, and takes effect only when the
// user enters a first code. Secrets are sealed at rest; a used time step is
// never accepted again. Connecting and disconnecting email the user.

const SEAL_PURPOSE = "totp-secret";
const TOTP_OFF = "Your org doesn't allow authenticator apps.";
const KEY_FIRST = "Your org requires a security key for your role: register a security key first.";

function requireTotpAllowed(ctx: OrgContext) {
  if (!ctx.policy.allowTotp) throw new UserFacingError(TOTP_OFF);
}

/** Step 1: a new secret (replacing an unconfirmed one); returns what the page shows. */
export async function startAuthenticatorEnrolment(ctx: MailboxProved<SteppedUp>, now = new Date()) {
  requirePermission(ctx, "account:self");
  requireTotpAllowed(ctx);
  // A session limited to registering the key its role requires (DESIGN.md section 14) registers that, not an app.
  if (ctx.mfa.keyRequirement?.due) throw new UserFacingError(KEY_FIRST);
  const existing = await db().authenticatorApp.findUnique({ where: { userId: ctx.userId } });
  if (existing?.confirmedAt) throw new UserFacingError("An authenticator app is already connected. Disconnect it first.");
  const secret = crypto.randomBytes(20);
  const secretSealed = seal(secret, SEAL_PURPOSE);
  await db().authenticatorApp.upsert({
    where: { userId: ctx.userId },
    create: { orgId: ctx.orgId, userId: ctx.userId, secretSealed, createdAt: now },
    update: { secretSealed, confirmedAt: null, lastUsedStep: null, createdAt: now },
  });
  const uri = otpauthUri(secret, ctx.username);
  return {
    secret: base32Encode(secret)
      .replace(/(.{4})/g, "$1 ")
      .trim(),
    uri,
    qrSvg: renderSVG(uri, { border: 1 }),
  };
}

async function notify(
  tx: Prisma.TransactionClient,
  owner: { orgId: string; userId: string },
  template: "authenticator-app-connected" | "authenticator-app-disconnected",
  request: RequestInfo,
  now: Date,
  appId: string | null = null,
) {
  const user = await tx.user.findFirstOrThrow({
    where: { id: owner.userId, orgId: owner.orgId },
    select: { email: true, name: true, org: { select: { name: true } } },
  });
  await enqueueSecurityEmail(tx, {
    orgId: owner.orgId,
    userId: owner.userId,
    to: user.email,
    template,
    summary: `An authenticator app was ${template === "authenticator-app-connected" ? "connected to" : "disconnected from"} your account.`,
    subjectId: appId,
    data: {
      name: user.name,
      orgName: user.org.name,
      at: now,
      ip: request.ip,
      browser: describeBrowser(request.userAgent),
      manageLink: `${env().APP_URL}/settings/advanced`,
    },
  });
}

/** Step 2: the first code confirms the app (and uses up its time step). */
export async function confirmAuthenticatorEnrolment(ctx: MailboxProved, code: string, now = new Date()): Promise<void> {
  const { request } = ctx;
  requirePermission(ctx, "account:self");
  requireTotpAllowed(ctx);
  const app = await db().authenticatorApp.findFirst({ where: { userId: ctx.userId, orgId: ctx.orgId, confirmedAt: null } });
  if (!app) throw new UserFacingError("Start connecting your authenticator app again.");
  const step = matchingStep(open(app.secretSealed, SEAL_PURPOSE), code, now, null);
  if (step === null)
    throw new UserFacingError("That code isn't right. Check the time on your phone and try the newest code.", { code: "That code isn't right." });
  await withEvents(async (tx) => {
    const { count } = await tx.authenticatorApp.updateMany({
      where: { id: app.id, confirmedAt: null },
      data: { confirmedAt: now, lastUsedStep: BigInt(step) },
    });
    if (count !== 1) throw new UserFacingError("Start connecting your authenticator app again.");
    await recordEvent(
      ctx,
      {
        type: "user.authenticator_app.connected",
        user: { id: ctx.userId, name: ctx.userName, username: ctx.username },
        credential: { id: app.id, name: "Authenticator app" },
      },
      tx,
    );
    await notify(tx, ctx, "authenticator-app-connected", request, now, app.id);
  });
}

/** The user disconnects their app (after re-authentication). */
export async function disconnectOwnAuthenticator(ctx: SteppedUp, now = new Date()): Promise<void> {
  const { request } = ctx;
  requirePermission(ctx, "account:self");
  await withEvents(async (tx) => {
    await lockUserRow(tx, ctx);
    await assertNotLastRequiredMethod(tx, ctx, "authenticator-app");
    const app = await tx.authenticatorApp.findFirst({ where: { userId: ctx.userId, orgId: ctx.orgId, ...COUNTED_APP }, select: { id: true } });
    if (!app) throw new NotFoundError("That authenticator app");
    await tx.authenticatorApp.delete({ where: { id: app.id } });
    await recordEvent(
      ctx,
      {
        type: "user.authenticator_app.disconnected",
        user: { id: ctx.userId, name: ctx.userName, username: ctx.username },
        credential: { id: app.id, name: "Authenticator app" },
        data: { by: "self" },
      },
      tx,
    );
    await notify(tx, ctx, "authenticator-app-disconnected", request, now);
  });
}

/** An admin disconnects a user's app (own org only; audited; the user emailed). */
export async function disconnectUserAuthenticator(ctx: Elevated, userId: string, now = new Date()): Promise<void> {
  const { request } = ctx;
  requirePermission(ctx, "factors:manage");
  await withEvents(async (tx) => {
    const app = await tx.authenticatorApp.findFirst({
      where: { userId, orgId: ctx.orgId, ...COUNTED_APP },
      include: { user: { select: { name: true, username: true } } },
    });
    if (!app) throw new NotFoundError("That authenticator app");
    await tx.authenticatorApp.delete({ where: { id: app.id } });
    await recordEvent(
      ctx,
      {
        type: "user.authenticator_app.disconnected",
        user: { id: userId, name: app.user.name, username: app.user.username },
        credential: { id: app.id, name: "Authenticator app" },
        data: { by: "admin" },
      },
      tx,
    );
    await notify(tx, { orgId: ctx.orgId, userId }, "authenticator-app-disconnected", request, now);
  });
}

export async function hasAuthenticatorApp(owner: UserSubject): Promise<boolean> {
  return (await db().authenticatorApp.count({ where: { userId: owner.userId, orgId: owner.orgId, ...COUNTED_APP } })) > 0;
}

/** Whether a user of the caller's org has a connected app. */
export async function userHasAuthenticatorApp(ctx: Principal, userId: string): Promise<boolean> {
  requirePermission(ctx, "setup:read");
  return (await db().authenticatorApp.count({ where: { userId, orgId: ctx.orgId, ...COUNTED_APP } })) > 0;
}

/**
 * Checks a code from the user's confirmed app (org must allow TOTP): ±1 step,
 * and the step is recorded atomically so the same code (or an older one) is
 * never accepted twice, even by concurrent requests.
 */
export async function verifyAuthenticatorCode(owner: OrgContext | PendingLoginSubject, code: string, now = new Date()): Promise<boolean> {
  if (!owner.policy.allowTotp) return false;
  // A suspended app, or any app of an account awaiting admin recovery, never verifies.
  const app = await db().authenticatorApp.findFirst({
    where: { userId: owner.userId, orgId: owner.orgId, ...USABLE_APP, user: { adminRecoveryRequiredAt: null } },
  });
  if (!app) return false;
  const step = matchingStep(open(app.secretSealed, SEAL_PURPOSE), code.replace(/\s+/g, ""), now, app.lastUsedStep === null ? null : Number(app.lastUsedStep));
  if (step === null) return false;
  const { count } = await db().authenticatorApp.updateMany({
    where: { id: app.id, OR: [{ lastUsedStep: null }, { lastUsedStep: { lt: BigInt(step) } }] },
    data: { lastUsedStep: BigInt(step) },
  });
  return count === 1;
}
