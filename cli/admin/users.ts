import { usageError } from "../errors";
import { printJson, printTable, type CliIo } from "../io";
import { ApiClient, pageData, resolveUserId, type Connection } from "./client";
import { text, time, yesNo, type Item } from "./fields";

// users list / users deactivate, keys list / keys remove: the org's users and
// their security keys, through the Admin API (scopes setup:read, users:write,
// factors:manage).

export const METHODS = ["security-key", "authenticator-app", "recovery-codes", "none"] as const;
export const ROLES = ["admin", "standard"] as const;

export interface UserListOptions {
  active?: boolean;
  inactive?: boolean;
  role?: string;
  hasKey?: boolean;
  method?: string;
  json?: boolean;
}

export async function usersList(connection: Connection, options: UserListOptions, io: CliIo): Promise<void> {
  if (options.active && options.inactive) throw usageError("--active and --inactive: choose one.");
  const role = options.role?.toLowerCase();
  if (role !== undefined && !(ROLES as readonly string[]).includes(role)) throw usageError(`--role: use ${ROLES.join(" or ")}.`);
  if (options.method !== undefined && !(METHODS as readonly string[]).includes(options.method)) {
    throw usageError(`--method: use one of ${METHODS.join(", ")}.`);
  }
  const client = new ApiClient(connection, io);
  const users: Item[] = [];
  const query = {
    limit: 100,
    active: options.active ? "true" : options.inactive ? "false" : undefined,
    role: role?.toUpperCase(),
    hasKey: options.hasKey ? "true" : undefined,
    method: options.method,
  };
  for await (const user of client.items<Item>("/api/v1/users", query)) users.push(user);
  if (options.json) return printJson(io, users);
  if (users.length === 0) return io.err("No users match.\n");
  printTable(
    io,
    ["ID", "USERNAME", "NAME", "ROLE", "STATUS", "METHODS"],
    users.map((user) => [
      text(user, "id"),
      text(user, "username", "email"),
      text(user, "name"),
      text(user, "role"),
      yesNo(user.isActive ?? user.active, "Active", "Inactive"),
      methodsOf(user.methods),
    ]),
  );
}

export async function usersDeactivate(connection: Connection, user: string, options: { json?: boolean }, io: CliIo): Promise<void> {
  const client = new ApiClient(connection, io);
  const id = await resolveUserId(client, user);
  const { body } = await client.request("POST", `/api/v1/users/${encodeURIComponent(id)}/deactivate`);
  if (options.json) return printJson(io, body ?? { id, deactivated: true });
  const name = body && typeof body === "object" ? text(body as Item, "username", "email") : "";
  io.out(`Deactivated ${name || user}: they can no longer log in and their sessions ended.\n`);
}

export async function keysList(connection: Connection, user: string, options: { json?: boolean }, io: CliIo): Promise<void> {
  const client = new ApiClient(connection, io);
  const id = await resolveUserId(client, user);
  const path = `/api/v1/users/${encodeURIComponent(id)}/keys`;
  const keys = pageData<Item>((await client.get(path)).body, path);
  if (options.json) return printJson(io, keys);
  if (keys.length === 0) return io.err(`${user} has no security keys.\n`);
  printTable(
    io,
    ["ID", "NAME", "MODEL", "ADDED", "LAST USED", "FLAGS"],
    keys.map((key) => [
      text(key, "id"),
      text(key, "name"),
      `${text(key, "model", "modelName", "aaguid")}${key.verified === undefined ? "" : key.verified ? " (verified)" : " (claimed)"}`,
      time(key, ["addedAt", "createdAt", "added"]),
      time(key, ["lastUsedAt", "lastUsed"], "Never"),
      [key.flagged || key.flaggedAt ? "flagged" : "", key.suspended || key.suspendedAt ? "suspended" : ""].filter(Boolean).join(", "),
    ]),
  );
}

export async function keysRemove(connection: Connection, user: string, keyId: string, options: { reason?: string; json?: boolean }, io: CliIo): Promise<void> {
  const client = new ApiClient(connection, io);
  const id = await resolveUserId(client, user);
  await client.request("DELETE", `/api/v1/users/${encodeURIComponent(id)}/keys/${encodeURIComponent(keyId)}`, { query: { reason: options.reason } });
  if (options.json) return printJson(io, { userId: id, keyId, removed: true });
  io.out(`Removed key ${keyId} from ${user}; they were emailed about it.\n`);
}

/** "2 keys (1 flagged), app, 10 codes" from the list's method counts. */
function methodsOf(methods: unknown): string {
  if (!methods || typeof methods !== "object") return "";
  const m = methods as { securityKeys?: number; flaggedSecurityKeys?: number; authenticatorApp?: boolean; recoveryCodes?: number };
  const parts: string[] = [];
  const keys = (m.securityKeys ?? 0) + (m.flaggedSecurityKeys ?? 0);
  if (keys > 0) parts.push(`${keys} key${keys === 1 ? "" : "s"}${m.flaggedSecurityKeys ? ` (${m.flaggedSecurityKeys} flagged)` : ""}`);
  if (m.authenticatorApp) parts.push("app");
  if (m.recoveryCodes) parts.push(`${m.recoveryCodes} recovery code${m.recoveryCodes === 1 ? "" : "s"}`);
  return parts.join(", ") || "none";
}
