import { describe, expect, it, vi } from "vitest";
import { GET as exportHistory } from "@/app/(app)/setup/verification-history/export/route";
import VerificationHistoryPage from "@/app/(app)/setup/verification-history/page";
import { HISTORY_PAGE_SIZE } from "@/lib/db/listing";
import { db } from "@/lib/db/client";
import type { VerificationActivity, VerificationMethod, VerificationResult } from "@/lib/verification/history";
import { listVerificationEvents, type VerificationFilter } from "@/lib/verification/queries";
import { verificationHistoryQuerySchema } from "@/lib/validation/history";
import { looksLikeFormula, parseCsv } from "../support/csv";
import { useTestDatabase } from "../support/database";
import { TEST_REQUEST, createOrg, createUser, signIn } from "../support/factories";
import { actAs } from "../support/next-request";

vi.mock("next/headers", async () => (await import("../support/next-request")).nextHeadersMock);

useTestDatabase();

const noFilter: VerificationFilter = { from: null, to: null, activity: null, result: null, user: null };
const exportUrl = (query = "") => new Request(`http://localhost:3000/setup/verification-history/export${query}`);

interface VerificationRecord {
  orgId: string;
  userId: string;
  method: VerificationMethod;
  activity: VerificationActivity;
  result: VerificationResult;
  detail?: string;
  request: { ip: string | null; userAgent: string | null };
}

/** A history row written directly, as a fixture: the app writes them only from typed events (lib/events). */
async function recordVerification({ request, ...row }: VerificationRecord) {
  await db().verificationEvent.create({ data: { ...row, ip: request.ip, userAgent: request.userAgent } });
}

function verification(orgId: string, userId: string, changes: Partial<VerificationRecord> = {}): VerificationRecord {
  return { orgId, userId, method: "Password and security key", activity: "Login", result: "Succeeded", request: TEST_REQUEST, ...changes };
}

describe("Identity Verification History", () => {
  it("lists the org's verifications newest first with the user's name and username, filtered and paged", async () => {
    const org = await createOrg("Verify");
    const user = await createUser(org.admin);
    const at = (iso: string) => new Date(iso);
    const rows = [
      { userId: org.adminId, activity: "Login", result: "Succeeded", createdAt: at("2026-03-01T09:00:00Z") },
      { userId: user.userId, activity: "Login", result: "Failed", detail: "Unknown key", createdAt: at("2026-03-02T09:00:00Z") },
      { userId: user.userId, activity: "Register security key", result: "Succeeded", createdAt: at("2026-03-03T09:00:00Z") },
    ];
    for (const row of rows) await db().verificationEvent.create({ data: { orgId: org.orgId, method: "Security key", ...row } });

    const all = await listVerificationEvents(org.admin, { ...noFilter, page: 1 });
    expect(all.total).toBe(3);
    expect(all.rows.map((row) => [row.activity, row.result])).toEqual([
      ["Register security key", "Succeeded"],
      ["Login", "Failed"],
      ["Login", "Succeeded"],
    ]);
    expect(all.rows[1]!.user).toEqual({ name: `User ${user.username}`, username: user.username });
    expect(all.rows[1]!.detail).toBe("Unknown key");

    const list = (filter: Partial<VerificationFilter>) => listVerificationEvents(org.admin, { ...noFilter, ...filter, page: 1 });
    expect((await list({ activity: "Login" })).rows.map((row) => row.result)).toEqual(["Failed", "Succeeded"]);
    expect((await list({ result: "Failed" })).rows.map((row) => row.detail)).toEqual(["Unknown key"]);
    expect((await list({ user: user.username.slice(0, 12).toUpperCase() })).total).toBe(2);
    expect((await list({ user: "nobody-has-this" })).total).toBe(0);
    expect((await list({ from: at("2026-03-02T00:00:00Z"), to: at("2026-03-02T00:00:00Z") })).rows.map((row) => row.detail)).toEqual(["Unknown key"]);

    for (let i = 0; i < HISTORY_PAGE_SIZE; i++) await recordVerification(verification(org.orgId, org.adminId, { detail: `Bulk ${i}` }));
    const page1 = await listVerificationEvents(org.admin, { ...noFilter, page: 1 });
    const page2 = await listVerificationEvents(org.admin, { ...noFilter, page: 2 });
    expect(page1.pageCount).toBe(2);
    expect(page1.rows).toHaveLength(HISTORY_PAGE_SIZE);
    expect(page2.rows.map((row) => row.activity)).toEqual(["Register security key", "Login", "Login"]);
    expect(new Set([...page1.rows, ...page2.rows].map((row) => row.id)).size).toBe(HISTORY_PAGE_SIZE + 3);
  });

  it("never shows another org's verifications, not even through the user search", async () => {
    const acme = await createOrg("AcmeVerify");
    const globex = await createOrg("GlobexVerify");
    await recordVerification(verification(acme.orgId, acme.adminId, { detail: "Acme secret" }));
    await recordVerification(verification(globex.orgId, globex.adminId, { detail: "Globex own" }));

    const theirs = await listVerificationEvents(globex.admin, { ...noFilter, page: 1 });
    expect(theirs.rows.map((row) => row.detail)).toEqual(["Globex own"]);
    expect((await listVerificationEvents(globex.admin, { ...noFilter, user: acme.adminUsername, page: 1 })).total).toBe(0);

    await actAs(globex.adminToken);
    const csv = await (await exportHistory(exportUrl())).text();
    expect(csv).toContain("Globex own");
    expect(csv).not.toContain("Acme secret");
    expect(csv).not.toContain(acme.adminUsername);
  });

  it("refuses unknown filter values and malformed dates without failing the page", async () => {
    for (const params of [
      { result: "Maybe" },
      { activity: "DROP TABLE" },
      { from: "yesterday" },
      { to: "2026-02-30" },
      { from: "2026-03-02", to: "2026-03-01" },
    ]) {
      expect(verificationHistoryQuerySchema.safeParse(params).success, JSON.stringify(params)).toBe(false);
    }
    expect(verificationHistoryQuerySchema.parse({ result: "", activity: "", user: "  " })).toMatchObject({ result: null, activity: null, user: null });

    const org = await createOrg("BadFilters");
    await recordVerification(verification(org.orgId, org.adminId));
    await actAs(org.adminToken);
    // The page shows everything with an alert rather than throwing.
    await expect(VerificationHistoryPage({ searchParams: Promise.resolve({ result: "Maybe", from: "nope" }) })).resolves.toBeTruthy();
  });
});

describe("Identity Verification History CSV export", () => {
  it("exports the filtered rows with a header, as an attachment", async () => {
    const org = await createOrg("VerifyCsv");
    await recordVerification(verification(org.orgId, org.adminId, { result: "Failed", detail: "Wrong key" }));
    await recordVerification(verification(org.orgId, org.adminId, { activity: "Device activation" }));
    await actAs(org.adminToken);
    const response = await exportHistory(exportUrl("?result=Failed"));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(
      new RegExp(`^attachment; filename="verification-history-${org.slug}-\\d{4}-\\d{2}-\\d{2}\\.csv"$`),
    );
    expect(response.headers.get("cache-control")).toBe("no-store");
    const rows = parseCsv(await response.text());
    expect(rows[0]).toEqual(["Date (UTC)", "User", "Username", "Method", "Activity", "Result", "Detail", "IP address", "Browser"]);
    expect(rows.slice(1).map((row) => row.slice(1))).toEqual([
      ["VerifyCsv Admin", org.adminUsername, "Password and security key", "Login", "Failed", "Wrong key", "203.0.113.7", "Chrome 156 on Linux"],
    ]);
  });

  it("neutralises cells a spreadsheet would run as formulas", async () => {
    const org = await createOrg("VerifyFormula");
    await db().user.update({ where: { id: org.adminId }, data: { name: '=HYPERLINK("http://evil.test","click")' } });
    await recordVerification(verification(org.orgId, org.adminId, { detail: "+cmd|' /C calc'!A0", request: { ip: "-1+1", userAgent: null } }));
    await actAs(org.adminToken);
    const cells = parseCsv(await (await exportHistory(exportUrl())).text()).flat();
    expect(cells).toContain(`'=HYPERLINK("http://evil.test","click")`);
    expect(cells).toContain("'+cmd|' /C calc'!A0");
    expect(cells).toContain("'-1+1");
    expect(cells.filter(looksLikeFormula)).toEqual([]);
  });

  it("refuses standard users (403), signed-out visitors (401) and bad filters (400)", async () => {
    const org = await createOrg("VerifyRoles");
    await recordVerification(verification(org.orgId, org.adminId, { detail: "Admin only" }));
    const standard = await signIn((await createUser(org.admin, "STANDARD")).userId);
    await actAs(standard.token);
    const forbidden = await exportHistory(exportUrl());
    expect(forbidden.status).toBe(403);
    expect(await forbidden.text()).not.toContain("Admin only");

    await actAs(null);
    expect((await exportHistory(exportUrl())).status).toBe(401);

    await actAs(org.adminToken);
    for (const query of ["?result=Maybe", "?activity=Hack", "?from=yesterday", "?from=2026-02-02&to=2026-02-01"]) {
      expect((await exportHistory(exportUrl(query))).status, query).toBe(400);
    }
  });
});
