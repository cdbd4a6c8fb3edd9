import crypto from "node:crypto";
import { stepUp } from "@/lib/auth/freshness";
import { afterEach, describe, expect, it, vi } from "vitest";
import { authenticateWithPassword } from "@/lib/auth/login/login";
import { requirePendingLogin } from "@/lib/auth/login/pending-login";
import { db } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { normaliseCode, randomCode } from "@/lib/verification/codes";
import { consumeRecoveryCode, generateRecoveryCodes } from "@/lib/verification/recovery-codes";
import { consumeTemporaryCode, issueTemporaryCode } from "@/lib/verification/temporary-codes";
import { useTestDatabase } from "../support/database";
import { TEST_PASSWORD, TEST_REQUEST, createOrg, createUser, signIn } from "../support/factories";
import { reauthenticate } from "../support/security-keys";

// Recovery and temporary codes at rest (issue 24 item 9): whoever reads the
// database must not be able to test guesses offline, a row means nothing for
// another user, and rotating the server key voids no code already issued.

useTestDatabase();

afterEach(() => {
  vi.unstubAllEnvs();
  resetEnvCache();
});

const KEY_1 = "first-code-hash-key-0123456789abcdef";
const KEY_2 = "second-code-hash-key-0123456789abcdef";

function useKeys(values: { CODE_HASH_KEY?: string; CODE_HASH_KEYS?: string }) {
  vi.stubEnv("CODE_HASH_KEY", values.CODE_HASH_KEY ?? "");
  vi.stubEnv("CODE_HASH_KEYS", values.CODE_HASH_KEYS ?? "");
  resetEnvCache();
}

const sha256 = (code: string) => crypto.createHash("sha256").update(normaliseCode(code)).digest("base64url");

async function pendingFor(username: string) {
  const step = await authenticateWithPassword(username, TEST_PASSWORD, TEST_REQUEST);
  return requirePendingLogin(step.pendingToken);
}

async function userWithCodes() {
  const org = await createOrg("Hashing");
  const user = await createUser(org.admin);
  const { ctx } = await signIn(user.userId, { fresh: true });
  await reauthenticate(ctx);
  const codes = await generateRecoveryCodes(await stepUp(ctx));
  return { org, user, codes };
}

describe("recovery and temporary codes at rest", () => {
  it("are not a plain SHA-256 (a copy of the database tests no guesses offline) and carry their key's version", async () => {
    const { org, user, codes } = await userWithCodes();
    const rows = await db().recoveryCode.findMany({ where: { userId: user.userId } });
    expect(rows).toHaveLength(codes.length);
    const plain = new Set(codes.map(sha256));
    expect(rows.some((r) => plain.has(r.codeHash))).toBe(false);
    expect(rows.every((r) => r.keyVersion === 1)).toBe(true);

    await reauthenticate(org.admin);
    const { code } = await issueTemporaryCode(await stepUp(org.admin), user.userId, 1);
    const temporary = await db().temporaryCode.findFirstOrThrow({ where: { userId: user.userId } });
    expect(temporary.codeHash).not.toBe(sha256(code));
    expect(temporary.keyVersion).toBe(1);
  });

  it("are keyed per user: a row copied to another user, same code, verifies nothing for them", async () => {
    const { org, user, codes } = await userWithCodes();
    const colleague = await createUser(org.admin);
    const lifted = await db().recoveryCode.findMany({ where: { userId: user.userId } });
    // The same hashes under the colleague: the old global unique index would have refused them; now they are just useless.
    await db().recoveryCode.createMany({
      data: lifted.map((r) => ({ orgId: org.orgId, userId: colleague.userId, codeHash: r.codeHash, keyVersion: r.keyVersion })),
    });
    expect(await consumeRecoveryCode(await pendingFor(colleague.username), codes[0]!)).toBe(false);
    expect(await consumeRecoveryCode(await pendingFor(user.username), codes[0]!)).toBe(true);
  });

  it("depend on a server key: without CODE_HASH_KEY it comes from AUTH_SECRET, so another AUTH_SECRET verifies nothing", async () => {
    const { user, codes } = await userWithCodes();
    vi.stubEnv("AUTH_SECRET", "another-auth-secret-0123456789abcdef0123456789");
    resetEnvCache();
    expect(await consumeRecoveryCode(await pendingFor(user.username), codes[0]!)).toBe(false);
    vi.unstubAllEnvs();
    resetEnvCache();
    expect(await consumeRecoveryCode(await pendingFor(user.username), codes[0]!)).toBe(true);
  });

  it("survive a key rotation: codes issued under version 1 verify while CODE_HASH_KEYS keeps it; new codes use version 2", async () => {
    useKeys({ CODE_HASH_KEY: `1:${KEY_1}` });
    const { org, user, codes } = await userWithCodes();

    useKeys({ CODE_HASH_KEY: `2:${KEY_2}`, CODE_HASH_KEYS: `1:${KEY_1}` });
    const pending = await pendingFor(user.username);
    expect(await consumeRecoveryCode(pending, codes[0]!)).toBe(true);
    await reauthenticate(org.admin);
    const { code } = await issueTemporaryCode(await stepUp(org.admin), user.userId, 1);
    expect((await db().temporaryCode.findFirstOrThrow({ where: { userId: user.userId } })).keyVersion).toBe(2);
    expect(await consumeTemporaryCode(pending, code)).toBe(true);

    // Dropping the retired key is what voids the codes issued under it.
    useKeys({ CODE_HASH_KEY: `2:${KEY_2}` });
    expect(await consumeRecoveryCode(pending, codes[1]!)).toBe(false);
    useKeys({ CODE_HASH_KEY: `2:${KEY_2}`, CODE_HASH_KEYS: `1:${KEY_1}` });
    expect(await consumeRecoveryCode(pending, codes[1]!)).toBe(true);
  });

  it("still verify a code stored as a plain SHA-256 before keyed hashes (version 0), once", async () => {
    const org = await createOrg("Legacy");
    const user = await createUser(org.admin);
    const code = randomCode(3, 4);
    await db().recoveryCode.create({ data: { orgId: org.orgId, userId: user.userId, codeHash: sha256(code), keyVersion: 0 } });
    const pending = await pendingFor(user.username);
    expect(await consumeRecoveryCode(pending, code.toUpperCase())).toBe(true);
    expect(await consumeRecoveryCode(pending, code)).toBe(false);
    // A keyed row whose value happens to be the plain SHA-256 is not a legacy row.
    const other = randomCode(3, 4);
    await db().recoveryCode.create({ data: { orgId: org.orgId, userId: user.userId, codeHash: sha256(other), keyVersion: 1 } });
    expect(await consumeRecoveryCode(pending, other)).toBe(false);
  });
});
