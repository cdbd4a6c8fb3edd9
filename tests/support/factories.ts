import crypto from "node:crypto";
import { stepUp } from "@/lib/auth/freshness";
import type { SystemPrincipal } from "@/lib/auth/principal";
import { adminContextOf, resolveOrgContext } from "@/lib/auth/context";
import type { AdminContext, OrgContext } from "@/lib/auth/org-context";
import { createSession } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { createOrgWithAdmin } from "@/lib/orgs/mutations";
import { saveSessionSettings } from "@/lib/policy/mutations";
import { policyFromRow, type PolicyValues } from "@/lib/policy/rules";
import { completeInvitation } from "@/lib/users/invitations";
import { addUser } from "@/lib/users/mutations";

export const TEST_PASSWORD = "test-password-0123";
export const TEST_REQUEST = { ip: "203.0.113.7", userAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36" };

const unique = () => crypto.randomBytes(4).toString("hex");

/** An org with its admin, created through the sign-up service; returns the admin's org context. */
export async function createOrg(name = "Org") {
  const slug = `${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${unique()}`;
  const email = `admin-${unique()}@${slug}.test`;
  const { orgId, userId } = await createOrgWithAdmin({ orgName: name, slug, name: `${name} Admin`, email, password: TEST_PASSWORD });
  // As after sign-up in the browser: the admin's first session is fresh (they just chose the password).
  const admin = await signIn(userId, { fresh: true });
  return { orgId, slug, adminId: userId, adminUsername: email, admin: asAdmin(admin.ctx), adminToken: admin.token };
}

/**
 * A user added by an admin through the users service, who then sets
 * TEST_PASSWORD through the link in their queued "Set your password" email.
 */
export async function createUser(adminCtx: AdminContext, role: "ADMIN" | "STANDARD" = "STANDARD") {
  const { userId, username } = await inviteUser(adminCtx, role);
  await completeInvitation(await invitationTokenFor(username), TEST_PASSWORD);
  return { userId, username };
}

/** A user added by an admin who has not set a password yet. */
export async function inviteUser(adminCtx: AdminContext, role: "ADMIN" | "STANDARD" = "STANDARD") {
  const username = `user-${unique()}@${adminCtx.orgSlug}.test`;
  // Granting Admin is a step-up at the entry point; the factory's admin has just signed in fresh.
  const caller = role === "ADMIN" ? await stepUp(adminCtx) : adminCtx;
  const { userId } = await addUser(caller, { name: `User ${username}`, username, email: username, role });
  return { userId, username };
}

/** The link in the newest "Set your password" email queued for an address, as the recipient would click it. */
export async function invitationLinkFor(email: string): Promise<string> {
  const message = await db().emailMessage.findFirstOrThrow({
    where: { to: email, template: "set-password" },
    orderBy: { createdAt: "desc" },
  });
  const link = /https?:\/\/\S+\/set-password\/[A-Za-z0-9_-]+/.exec(message.text)?.[0];
  if (!link) throw new Error(`invitationLinkFor: no set-password link in the email to ${email}`);
  return link;
}

export async function invitationTokenFor(email: string): Promise<string> {
  return (await invitationLinkFor(email)).split("/").at(-1)!;
}

/** A real server-side session for a user and the org context it resolves to. */
export async function signIn(userId: string, options: { fresh?: boolean } = {}) {
  const user = await db().user.findUniqueOrThrow({ where: { id: userId } });
  const { token } = await createSession(user, TEST_REQUEST, options.fresh ? new Date() : null);
  return { token, ctx: await contextOf(token) };
}

/** The context a session token resolves to now, as the next request would see it (policy re-read). */
export async function contextOf(token: string, request = TEST_REQUEST): Promise<OrgContext> {
  const ctx = await resolveOrgContext(token, request);
  if (!ctx) throw new Error("contextOf: the session did not resolve");
  return ctx;
}

/** The admin context of an admin's OrgContext; throws for a standard user. */
export function asAdmin(ctx: OrgContext): AdminContext {
  const admin = adminContextOf(ctx);
  if (!admin) throw new Error(`asAdmin: ${ctx.username} is not an admin`);
  return admin;
}

/** Changes some Session Settings as the org's admin would: one save from the stored version, audited. */
export async function setOrgPolicy(adminCtx: AdminContext | SystemPrincipal, changes: Partial<PolicyValues>) {
  const { version, updatedAt: _updatedAt, ...current } = policyFromRow(await db().orgSettings.findUnique({ where: { orgId: adminCtx.orgId } }));
  const next = { ...current, ...changes };
  const caller = adminCtx.kind === "system" ? adminCtx : await stepUp(adminCtx);
  return saveSessionSettings(caller, { ...next, allowedAaguids: [...next.allowedAaguids], blockedAaguids: [...next.blockedAaguids], version });
}

/** The org's policy as stored now (what the next request's context will carry). */
export async function readOrgPolicy(orgId: string) {
  return policyFromRow(await db().orgSettings.findUnique({ where: { orgId } }));
}
