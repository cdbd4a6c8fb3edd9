import "server-only";
import { z } from "zod";
import type { TokenPrincipal } from "../auth/principal";
import { NotFoundError } from "../errors";
import { findUser, listUsersAfter } from "../users/queries";
import { addUserSchema } from "../validation/account";
import type { KeySummary } from "../webauthn/keys";
import { DEFAULT_LIMIT, cursorParam, limitParam, instantCursorCodec, pageOf, pageSchema } from "./cursor";

// Users and their security keys as the Admin API shows them. The services
// (lib/users, lib/webauthn, lib/verification) decide everything; this module
// only shapes their answers and the requests' JSON.

const instant = z.iso.datetime();
const flag = z.enum(["true", "false"]).transform((v) => v === "true");

export const userIdParams = z.object({ id: z.guid().meta({ description: "The user's id." }) });
export const userKeyParams = z.object({ id: z.guid().meta({ description: "The user's id." }), keyId: z.guid().meta({ description: "The key's id." }) });

export const userSchema = z
  .object({
    id: z.guid(),
    name: z.string(),
    username: z.string(),
    email: z.string(),
    role: z.enum(["ADMIN", "STANDARD"]),
    active: z.boolean(),
    createdAt: instant,
    methods: z.object({
      securityKeys: z.number().int().meta({ description: "Registered keys, not counting flagged ones." }),
      flaggedSecurityKeys: z.number().int().meta({ description: 'Keys flagged "Possible cloned key".' }),
      authenticatorApp: z.boolean().meta({ description: "A confirmed authenticator app." }),
      recoveryCodes: z.number().int().meta({ description: "Unused recovery codes." }),
    }),
  })
  .meta({ id: "User" });

export const userDetailSchema = userSchema
  .extend({
    hasPassword: z.boolean().meta({ description: "False until the user sets a password from their invitation or reset link." }),
    pendingInvitation: z.object({ purpose: z.string(), createdAt: instant, expiresAt: instant }).nullable(),
    sessions: z.array(z.object({ id: z.guid(), createdAt: instant, lastSeenAt: instant, ip: z.string().nullable(), userAgent: z.string().nullable() })).meta({
      description: "Live sessions, most recently active first (at most 20).",
    }),
  })
  .meta({ id: "UserDetail" });

export const usersPageSchema = pageSchema(userSchema, "UserPage");

export const usersQuery = z.strictObject({
  cursor: cursorParam.optional(),
  limit: limitParam,
  active: flag.optional().meta({ description: "true: active users only; false: deactivated ones only." }),
  role: z.enum(["ADMIN", "STANDARD"]).optional(),
  hasKey: flag.optional().meta({ description: "true: users with a registered security key; false: without." }),
  method: z
    .enum(["none", "security-key", "authenticator-app", "recovery-codes"])
    .optional()
    .meta({ description: "The Users page's method filter: none, or users with that method." }),
});

export const createUserBody = z.strictObject(addUserSchema.shape).meta({ id: "NewUser" });

export const keySchema = z
  .object({
    id: z.guid(),
    name: z.string(),
    model: z.string().nullable().meta({ description: "The model's name, when Gatehouse knows its AAGUID." }),
    aaguid: z.string(),
    verified: z.boolean().meta({ description: 'true: "Verified model" (attestation chained to a trusted root); false: "Model claimed by the key".' }),
    modelProof: z.string().nullable(),
    transports: z.array(z.string()),
    addedAt: instant,
    lastUsedAt: instant.nullable(),
    flagged: z.boolean().meta({ description: '"Possible cloned key": the signature counter went backwards.' }),
    suspended: z.boolean().meta({ description: 'Suspended by a "This wasn\'t me" report.' }),
  })
  .meta({ id: "SecurityKey" });

export const keysSchema = z.object({ items: z.array(keySchema) }).meta({ id: "SecurityKeyList" });

export const removeKeyQuery = z.strictObject({
  reason: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .meta({ description: 'Why the key is removed, for the audit trail and the user\'s email (default "Removed with the Admin API").' }),
});

export const temporaryCodeBody = z.strictObject({
  hours: z.number().int().min(1).max(24).meta({ description: "How long the code works: 1 to 24 hours." }),
});

export const temporaryCodeSchema = z
  .object({
    code: z.string().meta({ description: "Shown once: Gatehouse keeps only its hash." }),
    expiresAt: instant,
  })
  .meta({ id: "TemporaryCode" });

export const endSessionsSchema = z.object({ ended: z.number().int().meta({ description: "How many live sessions ended." }) }).meta({ id: "EndedSessions" });

type ListedUser = Awaited<ReturnType<typeof listUsersAfter>>[number];

function userOf(user: ListedUser): z.input<typeof userSchema> {
  return {
    id: user.id,
    name: user.name,
    username: user.username,
    email: user.email,
    role: user.role,
    active: user.isActive,
    createdAt: user.createdAt.toISOString(),
    methods: {
      securityKeys: user._count.securityKeys,
      flaggedSecurityKeys: user.securityKeys.length,
      authenticatorApp: Boolean(user.authenticatorApp?.confirmedAt),
      recoveryCodes: user._count.recoveryCodes,
    },
  };
}

const usersCursor = instantCursorCodec("users", z.guid());

export async function usersPage(principal: TokenPrincipal, query: z.output<typeof usersQuery>) {
  const limit = query.limit ?? DEFAULT_LIMIT;
  const after = query.cursor ? usersCursor.decode(query.cursor) : null;
  const rows = await listUsersAfter(
    principal,
    { active: query.active, role: query.role, hasKey: query.hasKey, method: query.method },
    after ? { createdAt: after.at, id: after.tie } : null,
    limit + 1,
  );
  return pageOf(rows, limit, (last) => usersCursor.encode(last.createdAt, last.id), userOf);
}

/** A user of the token's org, in full; another org's id is not found. */
export async function userDetail(principal: TokenPrincipal, userId: string): Promise<z.input<typeof userDetailSchema>> {
  const user = await findUser(principal, userId);
  if (!user) throw new NotFoundError("That user");
  const invitation = user.pendingInvitation;
  return {
    ...userOf(user),
    hasPassword: user.hasPassword,
    pendingInvitation: invitation
      ? { purpose: invitation.purpose, createdAt: invitation.createdAt.toISOString(), expiresAt: invitation.expiresAt.toISOString() }
      : null,
    sessions: user.sessions.map((s) => ({ ...s, createdAt: s.createdAt.toISOString(), lastSeenAt: s.lastSeenAt.toISOString() })),
  };
}

export function keyOf(key: KeySummary): z.input<typeof keySchema> {
  return {
    id: key.id,
    name: key.name,
    model: key.model,
    aaguid: key.aaguid,
    verified: key.modelVerified,
    modelProof: key.modelProof,
    transports: key.transports,
    addedAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    flagged: key.flagged,
    suspended: key.suspended,
  };
}
