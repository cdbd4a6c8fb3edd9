// What each kind of caller may do: one role → permission table (DESIGN.md
// section 11). Services check a permission, never a role string; an API token
// carries the scopes it was issued with, a subset of these. A leaf module with
// no server imports, so the table can be shown in docs and unit-tested alone.

export const PERMISSIONS = {
  "account:self": "Manage your own account: security keys, authenticator app, recovery codes, password, sessions",
  "setup:read": "Open Setup: the org's summary, its users and their verification methods",
  "settings:write": "Change Session Settings",
  "users:write": "Add, deactivate and reactivate users, reset their passwords, end their sessions and forget their devices",
  "users:grant-admin": "Grant or remove the Admin role",
  "factors:manage": "Remove or flag another user's security key, disconnect their authenticator app, void their recovery codes, restore suspended factors",
  "codes:issue": "Issue a temporary verification code",
  "history:read": "Read and export the audit trail, verification history, login history and email log",
  "events:read": "Read the org's security events and manage where they are sent (Admin API, Event Streams)",
} as const;

export type Permission = keyof typeof PERMISSIONS;
export type RoleName = "ADMIN" | "STANDARD";

const ALL = Object.keys(PERMISSIONS) as Permission[];

/** The one role → permission table. */
export const ROLE_PERMISSIONS: Readonly<Record<RoleName, readonly Permission[]>> = Object.freeze({
  ADMIN: Object.freeze([...ALL]),
  STANDARD: Object.freeze(["account:self"] as Permission[]),
});

/**
 * What the system (the operator's command line, workers, seeds) may do: every
 * org-level permission, but no "own account", since it is nobody's account.
 */
export const SYSTEM_PERMISSIONS: readonly Permission[] = Object.freeze(ALL.filter((p) => p !== "account:self"));

/**
 * What an API token gets when its issuer names no scopes: the admin
 * permissions except granting the Admin role and issuing temporary codes
 * (each must be asked for by name), and never "own account" (a token is
 * nobody's browser: it cannot step up or prove a mailbox).
 */
export const DEFAULT_TOKEN_PERMISSIONS: readonly Permission[] = Object.freeze(
  ALL.filter((p) => p !== "account:self" && p !== "users:grant-admin" && p !== "codes:issue"),
);

/** The permissions a token may be issued with at all. */
export const TOKEN_GRANTABLE_PERMISSIONS: readonly Permission[] = SYSTEM_PERMISSIONS;

export function permissionsOfRole(role: RoleName): ReadonlySet<Permission> {
  return new Set(ROLE_PERMISSIONS[role]);
}

export function isPermission(value: string): value is Permission {
  return Object.hasOwn(PERMISSIONS, value);
}
