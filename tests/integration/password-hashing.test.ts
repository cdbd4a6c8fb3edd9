import crypto from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { availableParallelism, tmpdir } from "node:os";
import { HASH_THREAD_NICE, hashPoolThreadIds } from "@/lib/auth/passwords/hash-pool";
import { describe, expect, it, vi } from "vitest";
import { withPasswordCheck } from "@/lib/auth/login/admission";
import { authenticateWithPassword, InvalidCredentialsError } from "@/lib/auth/login/login";
import { hashPassword, needsRehash, verifyPassword } from "@/lib/auth/passwords/password";
import { db } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { useTestDatabase } from "../support/database";
import { rejectionOf } from "../support/db-state";
import { createOrg, TEST_PASSWORD } from "../support/factories";
import { requestFromNewIp } from "../support/requests";

useTestDatabase();

/** A hash as Gatehouse wrote them before Argon2id: scrypt N=2^15, r=8, p=1. */
function legacyScryptHash(password: string): string {
  const salt = crypto.randomBytes(16);
  const key = crypto.scryptSync(password.normalize("NFKC"), salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 128 * 1024 * 1024 });
  return ["scrypt", 2 ** 15, 8, 1, salt.toString("base64url"), key.toString("base64url")].join("$");
}

describe("password hashing", () => {
  it("hashes new passwords with Argon2id at OWASP's parameters (19 MiB, t=2, p=1), salted", async () => {
    const [a, b] = [await hashPassword(TEST_PASSWORD), await hashPassword(TEST_PASSWORD)];
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(a).not.toBe(b);
    expect(needsRehash(a)).toBe(false);
    expect(await verifyPassword(TEST_PASSWORD, a)).toBe(true);
    expect(await verifyPassword("wrong-password-123", a)).toBe(false);
    // NFKC: the same password typed with a compatibility character still matches.
    expect(await verifyPassword("ﬁle-password", await hashPassword("file-password"))).toBe(true);
  });

  it("hashes on low-priority threads of its own, one per core, so the event loop never waits behind a hash", async () => {
    await Promise.all(Array.from({ length: 4 }, () => hashPassword(TEST_PASSWORD)));
    const tids = hashPoolThreadIds();
    expect(tids).toHaveLength(availableParallelism());
    for (const tid of tids) {
      expect(tid).toBeGreaterThan(0);
      // /proc/<pid>/task/<tid>/stat: field 19 is the thread's nice value (after the parenthesised command name).
      const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, "utf8");
      const nice = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
      expect(nice).toBe(HASH_THREAD_NICE);
    }
    // The event loop's own thread keeps its normal priority.
    const own = readFileSync(`/proc/${process.pid}/stat`, "utf8");
    expect(Number(own.slice(own.lastIndexOf(")") + 2).split(" ")[16])).toBe(0);
  });

  it("stops its threads after HASH_POOL_IDLE_SECONDS without a hash (their memory comes back), and starts them again for the next hash", async () => {
    // Long enough that a loaded CI machine checks the fresh threads before they idle out (0.3 s once raced there).
    vi.stubEnv("HASH_POOL_IDLE_SECONDS", "2");
    resetEnvCache();
    try {
      const hashed = await hashPassword(TEST_PASSWORD);
      // A thread reports its id once it is up: the one that hashed has, the other may still be starting (CI once
      // read a null id there). Both, while they run, are in /proc.
      const started = async () => {
        await vi.waitFor(() => expect(hashPoolThreadIds().every((tid) => tid !== null)).toBe(true), { timeout: 5_000, interval: 10 });
        return hashPoolThreadIds();
      };
      const before = await started();
      expect(before).toHaveLength(availableParallelism());
      const alive = (tids: (number | null)[]) => tids.filter((tid) => existsSync(`/proc/${process.pid}/task/${tid}`));
      expect(alive(before)).toHaveLength(before.length);
      await vi.waitFor(() => expect(alive(before)).toEqual([]), { timeout: 15_000, interval: 50 });
      expect(hashPoolThreadIds()).toEqual([]);
      // A hash after the pool stopped: new threads, at low priority again, and the right answer.
      expect(await verifyPassword(TEST_PASSWORD, hashed)).toBe(true);
      const after = await started();
      expect(after).toHaveLength(availableParallelism());
      expect(after.filter((tid) => before.includes(tid))).toEqual([]);
      expect(alive(after)).toHaveLength(after.length);
    } finally {
      vi.unstubAllEnvs();
      resetEnvCache();
    }
  });

  it("lets a script that hashes exit when it is done, and not before (the pool's threads hold the process only while they hash)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "gatehouse-hash-"));
    const script = path.join(dir, "hash-then-exit.mts");
    const passwordModule = path.resolve(import.meta.dirname, "../../lib/auth/passwords/password.ts");
    writeFileSync(
      script,
      `import { hashPassword, verifyPassword } from ${JSON.stringify(passwordModule)};\nconst h = await hashPassword("a password to hash");\nconsole.log(h.slice(0, 9), await verifyPassword("a password to hash", h));\n`,
    );
    const tsx = path.resolve(import.meta.dirname, "../../node_modules/tsx/dist/cli.mjs");
    const run = spawnSync(process.execPath, [tsx, "--conditions=react-server", script], { encoding: "utf8", timeout: 30_000 });
    rmSync(dir, { recursive: true, force: true });
    expect(run.stdout.trim()).toBe("$argon2id true");
    expect(run.status).toBe(0);
  });

  it("serves each org's waiting hashes in turn: another org's login waits for a free thread, not behind one org's flood", { timeout: 60_000 }, async () => {
    const stored = await hashPassword(TEST_PASSWORD);
    const finished: string[] = [];
    const check = (orgId: string, n: number) =>
      withPasswordCheck({ ip: `198.51.100.${n}`, account: `user-${n}@${orgId}.test`, orgId }, () => verifyPassword(`wrong-${n}`, stored)).then(() =>
        finished.push(orgId),
      );
    // One org's flood fills the queue (within its share of 16), then one login of another org arrives.
    const flood = Array.from({ length: 12 }, (_, n) => check("flooded", n));
    const other = check("other", 99);
    await Promise.all([...flood, other]);
    // One queue runs it 13th, so it finishes about 12th. In turns, it starts after the hashes already running
    // (one per thread) and at most one more of the flood's (the lane whose turn came first); one more may finish
    // first on a loaded machine, where a thread can be slower than the next.
    expect(finished.indexOf("other")).toBeLessThanOrEqual(availableParallelism() + 2);
  });

  it("treats a missing, malformed or truncated hash as a mismatch", async () => {
    const good = await hashPassword(TEST_PASSWORD);
    const truncated = good.replace(/\$[^$]+$/, "$AAAA");
    const weak = "$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$";
    for (const stored of [null, undefined, "", "plain", "$argon2id$garbage", truncated, weak, "scrypt$x$y$z$AA$AA", "scrypt$32768$8$1$AAAA$"]) {
      expect(await verifyPassword(TEST_PASSWORD, stored)).toBe(false);
    }
  });

  it("still accepts a scrypt hash from before, and rewrites it as Argon2id at the next successful login", async () => {
    const org = await createOrg("Rehash");
    const legacy = legacyScryptHash(TEST_PASSWORD);
    await db().user.update({ where: { id: org.adminId }, data: { passwordHash: legacy } });
    expect(needsRehash(legacy)).toBe(true);

    // A wrong password leaves the old hash alone.
    const error = await rejectionOf(authenticateWithPassword(org.adminUsername, "wrong-password-123", requestFromNewIp()));
    expect(error).toBeInstanceOf(InvalidCredentialsError);
    expect((await db().user.findUniqueOrThrow({ where: { id: org.adminId } })).passwordHash).toBe(legacy);

    await authenticateWithPassword(org.adminUsername, TEST_PASSWORD, requestFromNewIp());
    const upgraded = (await db().user.findUniqueOrThrow({ where: { id: org.adminId } })).passwordHash!;
    expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(TEST_PASSWORD, upgraded)).toBe(true);
    expect(await verifyPassword("wrong-password-123", upgraded)).toBe(false);

    // And the next login works from the new hash without touching it again.
    await authenticateWithPassword(org.adminUsername, TEST_PASSWORD, requestFromNewIp());
    expect((await db().user.findUniqueOrThrow({ where: { id: org.adminId } })).passwordHash).toBe(upgraded);
  });
});
