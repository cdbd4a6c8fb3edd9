import { isPermission, TOKEN_GRANTABLE_PERMISSIONS, type Permission } from "../../lib/auth/permissions";
import { createSystemToken } from "../../lib/api-tokens/mutations";
import { createSystemTokenSchema, MAX_API_TOKEN_DAYS } from "../../lib/api-tokens/schema";
import { formatDateTime } from "../../lib/format";
import { NotFoundError } from "../../lib/errors";
import { CliError, EXIT, usageError } from "../errors";
import { printJson, type CliIo } from "../io";
import { openOperatorDatabase } from "./database";
import { cliErrorOf } from "./service-errors";
import { parseOptions } from "./validate";

// `gatehouse token:create`: an API token made by the operator (the system is
// its creator), for bootstrapping an org's automation. Scopes and expiry are
// never defaulted here. The secret goes alone to stdout, so
// `export GATEHOUSE_TOKEN=$(gatehouse token:create ...)` works; it is never shown again.

const FIELDS = { name: "--name", scopes: "--scopes", expiresInDays: "--expires", orgSlug: "--org" };
export interface TokenCreateOptions {
  org: string;
  name: string;
  scopes: string;
  expires: string;
  json?: boolean;
}

export function parseScopes(value: string): Permission[] {
  const scopes = [
    ...new Set(
      value
        .split(",")
        .map((scope) => scope.trim())
        .filter(Boolean),
    ),
  ];
  if (scopes.length === 0) throw usageError(`--scopes: name at least one, e.g. setup:read (one of ${TOKEN_GRANTABLE_PERMISSIONS.join(", ")}).`);
  const unknown = scopes.filter((scope) => !isPermission(scope) || !TOKEN_GRANTABLE_PERMISSIONS.includes(scope));
  if (unknown.length) throw usageError(`--scopes: no scope ${unknown.map((s) => `"${s}"`).join(", ")}; use ${TOKEN_GRANTABLE_PERMISSIONS.join(", ")}.`);
  return scopes as Permission[];
}

export function parseExpiryDays(value: string): number {
  const days = /^\d{1,4}$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(days) || days < 1 || days > MAX_API_TOKEN_DAYS) throw usageError(`--expires: a whole number of days from 1 to ${MAX_API_TOKEN_DAYS}.`);
  return days;
}

export async function tokenCreate(options: TokenCreateOptions, io: CliIo): Promise<void> {
  // Scopes and expiry first in the command's own words (which scope is unknown), then the service's schema.
  const input = parseOptions(
    createSystemTokenSchema,
    { orgSlug: options.org.trim().toLowerCase(), name: options.name, scopes: parseScopes(options.scopes), expiresInDays: parseExpiryDays(options.expires) },
    FIELDS,
  );
  await openOperatorDatabase();
  let token;
  try {
    token = await createSystemToken(input);
  } catch (error) {
    if (error instanceof NotFoundError) throw new CliError(EXIT.notFound, `--org: no org with the slug ${options.org}.`);
    throw cliErrorOf(error, FIELDS);
  }
  if (options.json) {
    return printJson(io, { id: token.id, name: token.name, secret: token.secret, scopes: token.scopes, expiresAt: token.expiresAt.toISOString() });
  }
  io.out(`${token.secret}\n`);
  io.err(`API token "${token.name}" for ${options.org}: scopes ${token.scopes.join(", ")}; expires ${formatDateTime(token.expiresAt)}.\n`);
  io.err("Copy the secret above now: it is stored only as a hash and is never shown again.\n");
}
