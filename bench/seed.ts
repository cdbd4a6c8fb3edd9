// Seeds the bench database through Gatehouse's own services (run with
// `tsx --conditions=react-server`, as `npm run seed` is): a small org whose
// users log in during the bench (half with a registered software key, in
// none / packed / fido-u2f attestation), a big org grown with plain SQL, and
// pending logins (password already checked) for the key-step figure, and an
// org whose usernames a flood of wrong passwords targets (the flood figure).
//
//   seed.ts seed <out.json> --users N [--big-users N --big-history N --flood-users N]
//   seed.ts mint <seed.json> <out.json> --per-user N
//
// The database is the app's: DATABASE_URL, or the PGlite directory in
// PGLITE_DATA_DIR (closed again before the server opens it).
import { readFileSync, writeFileSync } from "node:fs";
import { createPendingLogin } from "@/lib/auth/login/pending-login";
import type { PasswordCheckedUser } from "@/lib/auth/org-context";
import { database, db } from "@/lib/db/client";
import { migrate } from "@/lib/db/migrate";
import { createOrgWithAdmin } from "@/lib/orgs/mutations";
import { policyFromRow } from "@/lib/policy/rules";
import { completeInvitation } from "@/lib/users/invitations";
import { addUser } from "@/lib/users/mutations";
import { finishKeyRegistration, startKeyRegistration } from "@/lib/webauthn/registration";
import { systemPrincipal } from "@/lib/auth/principal";
import { invitationTokenFor, setOrgPolicy, signIn } from "@/tests/support/factories";
import { registering } from "@/tests/support/step-up";
import { SoftAuthenticator, type AttestationFormat } from "@/tests/support/soft-authenticator";
import { exportCredential, type SeededOrg, type SeededUser, type SeedFile } from "./lib/seed-file";

export const BENCH_PASSWORD = "bench-password-0123";
const ATTESTATIONS: AttestationFormat[] = ["none", "packed", "fido-u2f"];

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index > -1 ? Number(process.argv[index + 1]) : fallback;
}

async function createBenchOrg(slug: string): Promise<SeededOrg> {
  const username = `admin@${slug}.bench`;
  const { orgId, userId } = await createOrgWithAdmin({ orgName: slug, slug, name: `${slug} admin`, email: username, password: BENCH_PASSWORD });
  const admin = await systemPrincipal({ id: orgId }, "Bench seed");
  // Keys allowed; no emailed device activation, so a password-only user's login is one password check.
  // "Security keys and passkeys" accepts keys that do not prove their model (the `none` ones), as Better
  // Auth's passkey plugin does: under the default "Physical security keys only" they would be refused.
  await setOrgPolicy(admin, { allowSecurityKeys: true, requireDeviceActivation: false, authenticatorType: "SECURITY_KEYS_AND_PASSKEYS" });
  return { orgId, slug, adminUsername: username, adminId: userId };
}

async function seed(out: string): Promise<void> {
  const { raw } = database();
  await migrate(raw);
  const appUrl = new URL(process.env.APP_URL ?? "http://localhost:3000");
  const authenticator = new SoftAuthenticator({ rpId: appUrl.hostname, origin: appUrl.origin });

  const small = await createBenchOrg("bench-small");
  const admin = await systemPrincipal({ id: small.orgId }, "Bench seed");
  const users: SeededUser[] = [];
  const count = flag("users", 32);
  for (let i = 0; i < count * 2; i += 1) {
    const username = `user-${i}@bench-small.bench`;
    const { userId } = await addUser(admin, { name: `Bench user ${i}`, username, email: username, role: "STANDARD" });
    await completeInvitation(await invitationTokenFor(username), BENCH_PASSWORD);
    if (i % 2 === 1) {
      users.push({ username, userId, orgId: small.orgId, credential: null });
      continue;
    }
    // The user registers their own key, as in the browser: a session that just chose its password is fresh.
    const ctx = await registering((await signIn(userId, { fresh: true })).ctx);
    const options = await startKeyRegistration(ctx);
    const attestation = ATTESTATIONS[(i / 2) % ATTESTATIONS.length]!;
    const { response, credential } = authenticator.register(options.challenge, { attestation });
    await finishKeyRegistration(ctx, response);
    users.push({ username, userId, orgId: small.orgId, credential: exportCredential(credential, attestation) });
  }

  const flood = await createBenchOrg("bench-flood");
  const floodUsers = flag("flood-users", 0);
  await addLoginNames(flood, floodUsers);
  // Last: the big org's statistics are gathered after every other row is in.
  const big = await createBenchOrg("bench-big");
  await growOrg(big, flag("big-users", 0), flag("big-history", 0));
  const file: SeedFile = { appUrl: appUrl.origin, password: BENCH_PASSWORD, small, big, flood: { org: flood, users: floodUsers }, users, pending: {} };
  writeFileSync(out, JSON.stringify(file));
}

/** Plain SQL: thousands of users and login-history rows in one statement each. */
async function growOrg(org: SeededOrg, users: number, history: number): Promise<void> {
  if (users <= 0) return;
  const { raw } = database();
  await raw.query(
    `INSERT INTO "User" ("id", "orgId", "username", "email", "name", "role", "passwordHash", "isActive", "createdAt", "updatedAt")
     SELECT gen_random_uuid(), $1::uuid, 'user-' || n || '@bench-big.bench', 'user-' || n || '@bench-big.bench', 'Big user ' || n, 'STANDARD', NULL,
            n % 50 <> 0, now() - (n || ' minutes')::interval, now()
     FROM generate_series(1, $2::int) AS n`,
    [org.orgId, users],
  );
  await raw.query(
    `INSERT INTO "LoginAttempt" ("id", "orgId", "userId", "username", "result", "ip", "userAgent", "createdAt")
     SELECT gen_random_uuid(), u."orgId", u."id", u."username",
            (ARRAY['Success', 'Success', 'Success', 'Invalid password', 'Verification required'])[1 + n % 5],
            '198.51.100.' || (n % 250), 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36', now() - (n || ' seconds')::interval
     FROM generate_series(1, $2::int) AS n
     JOIN (SELECT "id", "orgId", "username", row_number() OVER (ORDER BY "id") AS i FROM "User" WHERE "orgId" = $1::uuid) u ON u.i = 1 + n % $3::int`,
    [org.orgId, history, users],
  );
  // As autovacuum leaves an org that grew over months (and as PostgreSQL's docs advise after a bulk load):
  // statistics for the planner, and a visibility map so that index-only scans stay index-only.
  // One statement per exec: VACUUM cannot run inside a multi-statement string.
  for (const table of ["User", "LoginAttempt"]) await raw.exec(`VACUUM ANALYZE "${table}"`);
}

/**
 * Users an attacker can name: each holds its username as a login name (claimedUsername, as a user who proved
 * the mailbox does), so a login for it is admitted as one of the org's (lib/auth/login/admission.ts). No
 * password is set: a wrong guess costs the same Argon2id check against the dummy hash.
 */
async function addLoginNames(org: SeededOrg, users: number): Promise<void> {
  if (users <= 0) return;
  await database().raw.query(
    `INSERT INTO "User" ("id", "orgId", "username", "claimedUsername", "usernameProvedAt", "email", "name", "role", "passwordHash", "isActive", "createdAt", "updatedAt")
     SELECT gen_random_uuid(), $1::uuid, u.login, u.login, now(), u.login, 'Flood target ' || n, 'STANDARD', NULL, true, now(), now()
     FROM generate_series(1, $2::int) AS n CROSS JOIN LATERAL (SELECT 'user-' || n || '@' || $3::text || '.bench' AS login) AS u`,
    [org.orgId, users, org.slug],
  );
}

/** Pending logins whose password was checked, as POST /api/login leaves them: only the key is still needed. */
async function mint(seedPath: string, out: string): Promise<void> {
  const file = JSON.parse(readFileSync(seedPath, "utf8")) as SeedFile;
  const perUser = flag("per-user", 50);
  const settings = await db().orgSettings.findUnique({ where: { orgId: file.small.orgId } });
  const pending: Record<string, string[]> = {};
  for (const user of file.users.filter((u) => u.credential)) {
    const checked = Object.freeze({ kind: "password-checked", orgId: user.orgId, userId: user.userId, policy: policyFromRow(settings) }) as PasswordCheckedUser;
    const tokens: string[] = [];
    for (let i = 0; i < perUser; i += 1) {
      tokens.push(await createPendingLogin(checked, { secondFactor: true, deviceActivation: false }, { ip: "127.0.0.1", userAgent: "gatehouse-bench" }));
    }
    pending[user.username] = tokens;
  }
  writeFileSync(out, JSON.stringify(pending));
}

const [command, first, second] = process.argv.slice(2);
const work = command === "seed" && first ? seed(first) : command === "mint" && first && second ? mint(first, second) : null;
if (!work) {
  console.error("usage: seed.ts seed <out.json> [--users N --big-users N --big-history N --flood-users N] | mint <seed.json> <out.json> --per-user N");
  process.exit(2);
}
work
  .then(() => database().close())
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
