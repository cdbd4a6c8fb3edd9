import { afterEach, describe, expect, it, vi } from "vitest";
import { stepUp } from "@/lib/auth/freshness";
import { authenticateWithPassword, passwordLoginsInProgress } from "@/lib/auth/login/login";
import { reauthenticateWithPassword } from "@/lib/auth/reauthentication";
import { resetEnvCache } from "@/lib/env";
import { RateLimitedError, ServiceBusyError } from "@/lib/errors";
import { completeInvitation } from "@/lib/users/invitations";
import { changeOwnPassword } from "@/lib/users/password-changes";
import { useTestDatabase } from "../support/database";
import { TEST_PASSWORD, TEST_REQUEST, contextOf, createOrg, createUser, invitationTokenFor, inviteUser, signIn } from "../support/factories";
import { hashingBacklog } from "../support/hashing-backlog";
import { requestFromNewIp } from "../support/requests";

// Issue 24 item 2, the rest: re-authentication, set-password and change-password
// hash through the same admission as the login (lib/auth/login/admission.ts),
// so a flood of them cannot starve logins; and correct-password logins count
// in a per-IP rate limit of their own.

useTestDatabase();

afterEach(() => {
  vi.unstubAllEnvs();
  resetEnvCache();
});

/** A session's request from a network no other test uses. */
const sessionFromNewIp = () => ({ ...TEST_REQUEST, ip: requestFromNewIp().ip! });

const outcome = (attempt: Promise<unknown>) =>
  attempt.then(
    () => "ok",
    (error: unknown) => (error instanceof ServiceBusyError && error.status === 503 ? "503" : `refused: ${String(error)}`),
  );

describe("password hashing outside the login goes through the login's admission", () => {
  it("re-authentications beyond one org's share are answered 503 while another org's login is admitted", { timeout: 120_000 }, async () => {
    vi.stubEnv("PASSWORD_LOGIN_LIMIT", "20");
    resetEnvCache();
    const flooding = await createOrg("Reauth flood");
    const quiet = await createOrg("Reauth quiet");
    const floodUsers = await Promise.all(Array.from({ length: 10 }, () => createUser(flooding.admin)));
    const victims = await Promise.all(Array.from({ length: 3 }, () => createUser(quiet.admin)));
    // Two sessions per user, each from its own network: per-IP and per-account shares allow them all; the org's share (16) does not.
    const contexts = await Promise.all(floodUsers.flatMap((u) => [0, 1].map(async () => contextOf((await signIn(u.userId)).token, sessionFromNewIp()))));

    const backlog = hashingBacklog({ ip: null, account: "flood", orgId: flooding.orgId });
    const flood = contexts.map((ctx) => outcome(reauthenticateWithPassword(ctx, TEST_PASSWORD)));
    await vi.waitFor(() => expect(passwordLoginsInProgress()).toBeGreaterThanOrEqual(16), { timeout: 10_000 });
    const others = await Promise.all(victims.map((v) => outcome(authenticateWithPassword(v.username, TEST_PASSWORD, requestFromNewIp()))));
    const floodOutcomes = await Promise.all(flood);
    await Promise.all(backlog);

    expect(others).toEqual(["ok", "ok", "ok"]);
    expect(floodOutcomes.filter((o) => o === "503").length).toBeGreaterThanOrEqual(20 - 16);
    expect(floodOutcomes.filter((o) => o !== "503" && o !== "ok")).toEqual([]);
    expect(passwordLoginsInProgress()).toBe(0);
  });

  it("one address gets two checks at once across set-password and change-password; a link turned away still works", async () => {
    const org = await createOrg("Set and change");
    const oneAddress = sessionFromNewIp();
    const invited = await Promise.all(Array.from({ length: 3 }, () => inviteUser(org.admin)));
    const tokens = await Promise.all(invited.map((u) => invitationTokenFor(u.username)));
    const changers = await Promise.all(Array.from({ length: 3 }, () => createUser(org.admin)));
    const stepped = await Promise.all(changers.map(async (u) => stepUp(await contextOf((await signIn(u.userId, { fresh: true })).token, oneAddress))));

    const backlog = hashingBacklog({ ip: null, account: "set and change", orgId: org.orgId });
    const attempts = [
      ...tokens.map((token) => outcome(completeInvitation(token, "a new long password 1", new Date(), oneAddress))),
      ...stepped.map((ctx) => outcome(changeOwnPassword(ctx, "a new long password 2"))),
    ];
    await vi.waitFor(() => expect(passwordLoginsInProgress()).toBeGreaterThanOrEqual(2), { timeout: 10_000 });
    const fromElsewhere = await outcome(authenticateWithPassword(org.adminUsername, TEST_PASSWORD, requestFromNewIp()));
    const outcomes = await Promise.all(attempts);
    await Promise.all(backlog);

    expect(outcomes.filter((o) => o === "ok")).toHaveLength(2);
    expect(outcomes.filter((o) => o === "503")).toHaveLength(4);
    expect(fromElsewhere).toBe("ok");
    // Turned away for load, a link is not used up: the invitee tries again and it works.
    const busyLink = tokens.find((_, i) => outcomes[i] === "503");
    if (busyLink) await expect(completeInvitation(busyLink, "a new long password 3", new Date(), requestFromNewIp())).resolves.toBeDefined();
  });
});

describe("correct-password logins per IP", () => {
  it("past PASSWORD_LOGIN_SUCCESSES_PER_IP the password step answers rate limited, like failures; failures do not count, other addresses pass", async () => {
    vi.stubEnv("PASSWORD_LOGIN_SUCCESSES_PER_IP", "3");
    resetEnvCache();
    const org = await createOrg("Successes");
    const users = await Promise.all(Array.from({ length: 5 }, () => createUser(org.admin)));
    const oneAddress = requestFromNewIp();

    // Wrong passwords from the address count in the failure budget only.
    for (const u of users.slice(0, 3)) {
      await expect(authenticateWithPassword(u.username, "not the password", oneAddress)).rejects.toThrow("Check your username and password");
    }
    for (const u of users.slice(0, 3)) await expect(authenticateWithPassword(u.username, TEST_PASSWORD, oneAddress)).resolves.toBeDefined();

    const refused = await authenticateWithPassword(users[3]!.username, TEST_PASSWORD, oneAddress).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).message).toMatch(/^Too many attempts\. Try again in \d+ minutes?\.$/);
    // A wrong password past the limit gets the same answer (nothing tells the two apart).
    await expect(authenticateWithPassword(users[4]!.username, "not the password", oneAddress)).rejects.toBeInstanceOf(RateLimitedError);

    // Another address, and the same user from it, are not affected.
    await expect(authenticateWithPassword(users[3]!.username, TEST_PASSWORD, requestFromNewIp())).resolves.toBeDefined();
  });
});
