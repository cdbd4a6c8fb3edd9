import { afterEach, describe, expect, it, vi } from "vitest";
import { authenticateWithPassword, passwordLoginsInProgress } from "@/lib/auth/login/login";
import { resetEnvCache } from "@/lib/env";
import { ServiceBusyError } from "@/lib/errors";
import { useTestDatabase } from "../support/database";
import { TEST_PASSWORD, createOrg, createUser } from "../support/factories";
import { activatedDeviceCookie } from "../support/login";
import { hashingBacklog } from "../support/hashing-backlog";
import { requestFromNewIp } from "../support/requests";

// Issue 24 item 2: one client, or one org, cannot deny password logins to
// every tenant. Each gets a bounded share of the instance's password checks
// (lib/auth/login/admission.ts); a known browser has slots of its own.

useTestDatabase();

afterEach(() => {
  vi.unstubAllEnvs();
  resetEnvCache();
});

/** Keeps every hashing thread busy, so logins started now are still in progress while the test looks. */

const outcome = (attempt: Promise<unknown>) =>
  attempt.then(
    () => "ok",
    (error: unknown) => (error instanceof ServiceBusyError ? "503" : "refused"),
  );

describe("fair admission of password checks", () => {
  it("a flood of correct logins from one org never makes another org's login answer 503", { timeout: 120_000 }, async () => {
    vi.stubEnv("PASSWORD_LOGIN_LIMIT", "20");
    resetEnvCache();
    const flooding = await createOrg("Flooding");
    const quiet = await createOrg("Quiet");
    const floodUsers = await Promise.all(Array.from({ length: 15 }, () => createUser(flooding.admin)));
    const victims = await Promise.all(Array.from({ length: 3 }, () => createUser(quiet.admin)));

    // The flooding org's checks wait behind a backlog in its lane; the quiet org's lane has none.
    const backlog = hashingBacklog({ ip: null, account: "flood", orgId: flooding.orgId });
    // Two logins per user, each from its own network: per-IP and per-account shares allow them all; the org's share does not.
    const flood = floodUsers.flatMap((u) => [0, 1].map(() => outcome(authenticateWithPassword(u.username, TEST_PASSWORD, requestFromNewIp()))));
    await vi.waitFor(() => expect(passwordLoginsInProgress()).toBeGreaterThanOrEqual(16), { timeout: 10_000 });
    const others = await Promise.all(victims.map((v) => outcome(authenticateWithPassword(v.username, TEST_PASSWORD, requestFromNewIp()))));
    const floodOutcomes = await Promise.all(flood);
    await Promise.all(backlog);

    expect(others.filter((o) => o === "503")).toEqual([]);
    // The flooding org got its share (16) and no more at once; the rest were turned away.
    expect(floodOutcomes.filter((o) => o === "503").length).toBeGreaterThanOrEqual(30 - 16);
    expect(passwordLoginsInProgress()).toBe(0);
  });

  it("one address gets two checks at once; a flood aimed at one account does not shut out that user's own browser", async () => {
    const org = await createOrg("Aimed");
    const target = await createUser(org.admin);
    const cookie = await activatedDeviceCookie(target.username);
    const oneAddress = requestFromNewIp();
    // The address's checks (usernames no org has) and those aimed at the target's org wait behind a backlog each.
    const backlog = hashingBacklog({ ip: oneAddress.ip, account: "nobody", orgId: null }, { ip: null, account: target.username, orgId: org.orgId });
    const fromOneAddress = Array.from({ length: 5 }, (_, i) => outcome(authenticateWithPassword(`nobody${i}@elsewhere.test`, "guess", oneAddress)));
    const aimed = Array.from({ length: 6 }, () => outcome(authenticateWithPassword(target.username, "wrong guess", requestFromNewIp())));
    await vi.waitFor(() => expect(passwordLoginsInProgress()).toBeGreaterThanOrEqual(4), { timeout: 10_000 });
    const own = await outcome(authenticateWithPassword(target.username, TEST_PASSWORD, { ...requestFromNewIp(), deviceCookie: cookie }));
    const [addressOutcomes, aimedOutcomes] = [await Promise.all(fromOneAddress), await Promise.all(aimed)];
    await Promise.all(backlog);

    expect(addressOutcomes.filter((o) => o !== "503")).toHaveLength(2);
    expect(aimedOutcomes.filter((o) => o !== "503")).toHaveLength(2);
    expect(own).toBe("ok");
  });
});
