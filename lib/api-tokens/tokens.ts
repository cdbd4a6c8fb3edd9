import "server-only";
import type { Permission } from "../auth/permissions";
import { db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { displayPrefixOf, generateApiTokenSecret, hashApiTokenSecret } from "./format";

/** What a new token is: its org, name, scopes and expiry, and who made it (null: the operator's command line). */
export interface MintApiTokenInput {
  orgId: string;
  name: string;
  scopes: readonly Permission[];
  expiresAt: Date;
  createdBy: { id: string; name: string } | null;
}

/** A token just made: the secret is here once and nowhere else, ever. */
export interface MintedApiToken {
  id: string;
  name: string;
  secret: string;
  displayPrefix: string;
  scopes: Permission[];
  expiresAt: Date;
}

/** How the list names the operator as a token's creator. */
export const OPERATOR_CREATOR_NAME = "Command line";

/**
 * Stores a new token (its SHA-256 only) and returns its secret. No checks and
 * no event: the services (./mutations.ts) validate, authorise and audit; tests
 * call this to make a token directly. Pass the caller's transaction.
 */
export async function mintApiToken(input: MintApiTokenInput, tx: Prisma.TransactionClient = db()): Promise<MintedApiToken> {
  const secret = generateApiTokenSecret();
  const scopes = [...new Set(input.scopes)];
  const row = await tx.apiToken.create({
    data: {
      orgId: input.orgId,
      name: input.name,
      secretHash: hashApiTokenSecret(secret),
      displayPrefix: displayPrefixOf(secret),
      scopes,
      createdById: input.createdBy?.id ?? null,
      createdByName: input.createdBy?.name ?? OPERATOR_CREATOR_NAME,
      expiresAt: input.expiresAt,
    },
    select: { id: true, displayPrefix: true },
  });
  return { id: row.id, name: input.name, secret, displayPrefix: row.displayPrefix, scopes, expiresAt: input.expiresAt };
}
