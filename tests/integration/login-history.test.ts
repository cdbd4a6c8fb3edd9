import { describe, expect, it, vi } from "vitest";
import { GET as exportLogins } from "@/app/(app)/setup/login-history/export/route";
import LoginHistoryPage from "@/app/(app)/setup/login-history/page";
import { listLoginAttempts, type LoginFilter } from "@/lib/auth/login/login-history";
import { COUNT_AHEAD, HISTORY_PAGE_SIZE } from "@/lib/db/listing";
import { db } from "@/lib/db/client";
import { loginHistoryQuerySchema } from "@/lib/validation/history";
import { looksLikeFormula, parseCsv } from "../support/csv";
import { useTestDatabase } from "../support/database";
import { TEST_PASSWORD, TEST_REQUEST, createOrg, createUser, signIn } from "../support/factories";
import { logInFully } from "../support/login";
import { actAs } from "../support/next-request";

vi.mock("next/headers", async () => (await import("../support/next-request")).nextHeadersMock);

useTestDatabase();

const noFilter: LoginFilter = { from: null, to: null, result: null };
const exportUrl = (query = "") => new Request(`http://localhost:3000/setup/login-history/export${query}`);
const logIn = (username: string, password: string) => logInFully(username, password, TEST_REQUEST).catch(() => null);

describe("Login History", () => {
  it("lists the org's login attempts newest first, filtered by result and day, and paged", async () => {
    const org = await createOrg("Logins");
    const user = await createUser(org.admin);
    await logIn(user.username, "wrong-password");
    await logIn(user.username, TEST_PASSWORD);
    await db().user.update({ where: { id: user.userId }, data: { isActive: false } });
    await logIn(user.username, TEST_PASSWORD);

    const all = await listLoginAttempts(org.admin, { ...noFilter, page: 1 });
    expect(all.rows.map((row) => row.result)).toEqual(["Inactive user", "Success", "Invalid password"]);
    expect(all.rows[0]).toMatchObject({ username: user.username, ip: TEST_REQUEST.ip, userAgent: TEST_REQUEST.userAgent });

    const failed = await listLoginAttempts(org.admin, { ...noFilter, result: "Invalid password", page: 1 });
    expect(failed.rows.map((row) => row.result)).toEqual(["Invalid password"]);

    await db().loginAttempt.create({ data: { orgId: org.orgId, username: "old@logins.test", result: "Success", createdAt: new Date("2025-06-01T23:30:00Z") } });
    const june = await listLoginAttempts(org.admin, { ...noFilter, from: new Date("2025-06-01T00:00:00Z"), to: new Date("2025-06-01T00:00:00Z"), page: 1 });
    expect(june.rows.map((row) => row.username)).toEqual(["old@logins.test"]);

    for (let i = 0; i < HISTORY_PAGE_SIZE; i++) await db().loginAttempt.create({ data: { orgId: org.orgId, username: `bulk-${i}`, result: "Success" } });
    const page2 = await listLoginAttempts(org.admin, { ...noFilter, page: 2 });
    expect(page2.pageCount).toBe(2);
    expect(page2.rows.map((row) => row.result)).toEqual(["Inactive user", "Success", "Invalid password", "Success"]);
  });

  it("counts a long history only up to 10,000 rows past the page: the page then says 'more than' and still pages on", async () => {
    const org = await createOrg("LongHistory");
    const total = COUNT_AHEAD + 7;
    await db().$executeRaw`
      INSERT INTO "LoginAttempt" ("id", "orgId", "username", "result", "createdAt")
      SELECT gen_random_uuid(), ${org.orgId}::uuid, 'bulk-' || n, 'Success', now() - (n || ' seconds')::interval FROM generate_series(1, ${total}::int) AS n`;

    const first = await listLoginAttempts(org.admin, { ...noFilter, page: 1 });
    expect(first).toMatchObject({ total: COUNT_AHEAD, totalIsCapped: true, pageCount: COUNT_AHEAD / HISTORY_PAGE_SIZE });
    expect(first.rows.map((row) => row.username).slice(0, 2)).toEqual(["bulk-1", "bulk-2"]);
    // Further in, the count reaches the end: exact again, and the last page is where it should be.
    const second = await listLoginAttempts(org.admin, { ...noFilter, page: 2 });
    expect(second).toMatchObject({ total, totalIsCapped: false, pageCount: Math.ceil(total / HISTORY_PAGE_SIZE) });
    // A filter narrows the count as before.
    const none = await listLoginAttempts(org.admin, { ...noFilter, result: "Invalid password", page: 1 });
    expect(none).toMatchObject({ total: 0, totalIsCapped: false, pageCount: 1 });
  });

  it("never shows another org's attempts, nor attempts on unknown usernames", async () => {
    const acme = await createOrg("AcmeLogins");
    const globex = await createOrg("GlobexLogins");
    await logIn(acme.adminUsername, "wrong-password");
    await logIn(`no-such-user@${globex.slug}.test`, "guess");
    await logIn(globex.adminUsername, "wrong-password");

    const theirs = await listLoginAttempts(globex.admin, { ...noFilter, page: 1 });
    expect(theirs.rows.map((row) => row.username)).toEqual([globex.adminUsername]);
    // An attempt on a username no org has is written nowhere (no org could see it; anyone could add them).
    expect(await db().loginAttempt.count({ where: { orgId: null } })).toBe(0);

    await actAs(globex.adminToken);
    const csv = await (await exportLogins(exportUrl())).text();
    expect(csv).toContain(globex.adminUsername);
    expect(csv).not.toContain(acme.adminUsername);
    expect(csv).not.toContain("no-such-user");
  });

  it("refuses unknown results and malformed dates without failing the page", async () => {
    for (const params of [{ result: "Hacked" }, { from: "2026-13-01" }, { to: "tomorrow" }]) {
      expect(loginHistoryQuerySchema.safeParse(params).success, JSON.stringify(params)).toBe(false);
    }
    const org = await createOrg("LoginBadFilters");
    await actAs(org.adminToken);
    await expect(LoginHistoryPage({ searchParams: Promise.resolve({ result: "Hacked", to: "tomorrow", page: "-3" }) })).resolves.toBeTruthy();
  });
});

describe("Login History CSV export", () => {
  it("exports the filtered attempts with a header, as an attachment, formulas neutralised", async () => {
    const org = await createOrg("LoginCsv");
    await logIn(org.adminUsername, "wrong-password");
    await logIn(org.adminUsername, TEST_PASSWORD);
    await db().loginAttempt.create({ data: { orgId: org.orgId, username: "=cmd|' /C calc'!A0", result: "Invalid password", ip: "@evil" } });
    await actAs(org.adminToken);
    const response = await exportLogins(exportUrl("?result=Invalid+password"));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toMatch(new RegExp(`^attachment; filename="login-history-${org.slug}-\\d{4}-\\d{2}-\\d{2}\\.csv"$`));
    const rows = parseCsv(await response.text());
    expect(rows[0]).toEqual(["Date (UTC)", "Username", "Result", "IP address", "Browser"]);
    expect(rows.slice(1).map((row) => row.slice(1))).toEqual([
      ["'=cmd|' /C calc'!A0", "Invalid password", "'@evil", "Unknown browser"],
      [org.adminUsername, "Invalid password", TEST_REQUEST.ip, "Chrome 156 on Linux"],
    ]);
    expect(rows.flat().filter(looksLikeFormula)).toEqual([]);
  });

  it("refuses standard users (403), signed-out visitors (401) and bad filters (400)", async () => {
    const org = await createOrg("LoginCsvRoles");
    await logIn(org.adminUsername, "wrong-password");
    const standard = await signIn((await createUser(org.admin, "STANDARD")).userId);
    await actAs(standard.token);
    const forbidden = await exportLogins(exportUrl());
    expect(forbidden.status).toBe(403);
    expect(await forbidden.text()).not.toContain(org.adminUsername);

    await actAs(null);
    expect((await exportLogins(exportUrl())).status).toBe(401);

    await actAs(org.adminToken);
    for (const query of ["?result=Hacked", "?from=2026-02-30", "?from=2026-02-02&to=2026-02-01"]) {
      expect((await exportLogins(exportUrl(query))).status, query).toBe(400);
    }
  });
});
