import { describeBrowser } from "@/lib/http/request-info";
import { stepUp } from "@/lib/auth/freshness";
import { describe, expect, it, vi } from "vitest";
import { GET as exportAuditTrail } from "@/app/(app)/setup/audit-trail/export/route";
import { AUDIT_PAGE_SIZE, describeAuditRow, listAuditEvents } from "@/lib/audit/queries";
import { db } from "@/lib/db/client";
import { saveSessionSettings } from "@/lib/policy/mutations";
import { setUserRole } from "@/lib/users/mutations";
import { DEFAULT_POLICY } from "@/lib/policy/rules";
import { parseCsv } from "../support/csv";
import { useTestDatabase } from "../support/database";
import { createOrg, createUser, signIn, TEST_REQUEST } from "../support/factories";
import { actAs } from "../support/next-request";

vi.mock("next/headers", async () => (await import("../support/next-request")).nextHeadersMock);

useTestDatabase();

const noFilter = { from: null, to: null };

/** A trail row written directly, as a fixture: the app writes them only from typed events (lib/events). */
async function recordAudit(entry: {
  orgId: string;
  actor: { id: string; name: string } | null;
  action: string;
  section: string;
  targetId?: string;
  newValue?: string;
}) {
  const { actor, ...row } = entry;
  await db().auditEvent.create({ data: { ...row, actorId: actor?.id ?? null, actorName: actor?.name ?? null } });
}
const exportUrl = (query = "") => new Request(`http://localhost:3000/setup/audit-trail/export${query}`);

describe("Setup Audit Trail", () => {
  it("lists the org's rows newest first, Session Settings changes beside the existing events", async () => {
    const org = await createOrg("Trail");
    await createUser(org.admin);
    await saveSessionSettings(await stepUp(org.admin), { ...DEFAULT_POLICY, allowedAaguids: [], blockedAaguids: [], allowSecurityKeys: true, version: 0 });
    const { rows, total } = await listAuditEvents(org.admin, { ...noFilter, page: 1 });
    expect(total).toBe(4);
    expect(rows.map((row) => row.action)).toEqual(["Changed session settings", "Set password from invitation", "Created user", "Created org"]);
    expect(describeAuditRow(rows[0]!)).toBe("Let users verify their identity with a physical security key (U2F): False → True");
    expect(rows[0]!.actorName).toBe("Trail Admin");
  });

  it("lists the fields of one save in form order", async () => {
    const org = await createOrg("Order");
    const all = { ...DEFAULT_POLICY, allowedAaguids: [], blockedAaguids: [], version: 0 };
    await saveSessionSettings(await stepUp(org.admin), {
      ...all,
      lockSessionsToIp: true,
      allowSecurityKeys: true,
      sessionTimeoutMinutes: 30,
      allowTotp: false,
    });
    const { rows } = await listAuditEvents(org.admin, { ...noFilter, page: 1 });
    expect(rows.map((row) => row.field)).toEqual([
      "Let users verify their identity with a physical security key (U2F)",
      "Let users verify their identity with an authenticator app (TOTP)",
      "Timeout value",
      "Lock sessions to the IP address from which they originated",
      null,
    ]);
  });

  it("pages and filters by UTC day, both ends included", async () => {
    const org = await createOrg("Paging");
    const at = (iso: string) => new Date(iso);
    const days = ["2026-03-01T00:00:00Z", "2026-03-01T23:59:59Z", "2026-03-02T12:00:00Z", "2026-03-03T00:00:00Z"];
    for (const [i, createdAt] of days.entries()) {
      await db().auditEvent.create({ data: { orgId: org.orgId, action: `Event ${i}`, section: "Test", createdAt: at(createdAt) } });
    }
    const march = await listAuditEvents(org.admin, { from: at("2026-03-01T00:00:00Z"), to: at("2026-03-02T00:00:00Z"), page: 1 });
    expect(march.rows.map((row) => row.action)).toEqual(["Event 2", "Event 1", "Event 0"]);
    const second = await listAuditEvents(org.admin, { from: at("2026-03-02T00:00:00Z"), to: at("2026-03-31T00:00:00Z"), page: 1 });
    expect(second.rows.map((row) => row.action)).toEqual(["Event 3", "Event 2"]);

    for (let i = 0; i < AUDIT_PAGE_SIZE; i++) await recordAudit({ orgId: org.orgId, actor: null, action: `Bulk ${i}`, section: "Test" });
    const page1 = await listAuditEvents(org.admin, { ...noFilter, page: 1 });
    const page2 = await listAuditEvents(org.admin, { ...noFilter, page: 2 });
    expect(page1.pageCount).toBe(2);
    expect(page1.rows).toHaveLength(AUDIT_PAGE_SIZE);
    expect(page2.rows.map((row) => row.action)).toEqual(["Created org", "Event 3", "Event 2", "Event 1", "Event 0"]);
    expect(new Set([...page1.rows, ...page2.rows].map((row) => row.id)).size).toBe(AUDIT_PAGE_SIZE + 5);
  });

  it("never shows another org's rows", async () => {
    const acme = await createOrg("AcmeTrail");
    const globex = await createOrg("GlobexTrail");
    await saveSessionSettings(await stepUp(acme.admin), { ...DEFAULT_POLICY, allowedAaguids: [], blockedAaguids: [], lockSessionsToIp: true, version: 0 });
    const { rows } = await listAuditEvents(globex.admin, { ...noFilter, page: 1 });
    expect(rows.map((row) => row.action)).toEqual(["Created org"]);
    expect(rows.map((row) => row.newValue).join()).not.toContain("AcmeTrail");
  });

  it("names the user a row is about, and never a user of another org whose id a row might carry", async () => {
    const acme = await createOrg("AcmeTarget");
    const globex = await createOrg("GlobexTarget");
    const dana = await createUser(acme.admin);
    await setUserRole(await stepUp(acme.admin), dana.userId, "ADMIN");
    const { rows } = await listAuditEvents(acme.admin, { ...noFilter, page: 1 });
    const roleChange = rows.find((row) => row.action === "Changed role")!;
    expect(roleChange.target).toMatch(new RegExp(`^.+ \\(${dana.username.replace(/[.]/g, "\\.")}\\)$`));
    // A row in Globex's trail that names Acme's user by id (as a forged or stale row would) names nobody.
    await recordAudit({ orgId: globex.orgId, actor: null, action: "Test", section: "Users", targetId: dana.userId });
    const theirs = await listAuditEvents(globex.admin, { ...noFilter, page: 1 });
    expect(theirs.rows.find((row) => row.action === "Test")!.target).toBeNull();
  });
});

describe("Setup Audit Trail CSV export", () => {
  it("exports the admin's org only, with a header row, as an attachment", async () => {
    const acme = await createOrg("AcmeCsv");
    const globex = await createOrg("GlobexCsv");
    await saveSessionSettings(await stepUp(acme.admin), { ...DEFAULT_POLICY, allowedAaguids: [], blockedAaguids: [], allowSecurityKeys: true, version: 0 });
    await actAs(acme.adminToken);
    const response = await exportAuditTrail(exportUrl());
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(
      new RegExp(`^attachment; filename="setup-audit-trail-${acme.slug}-\\d{4}-\\d{2}-\\d{2}\\.csv"$`),
    );
    expect(response.headers.get("cache-control")).toBe("no-store");
    const rows = parseCsv(await response.text());
    expect(rows[0]).toEqual(["Date (UTC)", "User", "Section", "Action", "Field", "Old value", "New value", "Details", "IP address", "Browser", "Target user"]);
    expect(rows.slice(1).map((row) => row[3])).toEqual(["Changed session settings", "Created org"]);
    expect(rows[1]!.slice(1, 7)).toEqual([
      "AcmeCsv Admin",
      "Session Settings",
      "Changed session settings",
      "Let users verify their identity with a physical security key (U2F)",
      "False",
      "True",
    ]);
    // The change carries the IP and browser of the request that made it.
    expect(rows[1]!.slice(8)).toEqual([TEST_REQUEST.ip, describeBrowser(TEST_REQUEST.userAgent), ""]);

    await actAs(globex.adminToken);
    const theirs = await (await exportAuditTrail(exportUrl())).text();
    expect(theirs).not.toContain("AcmeCsv");
    expect(parseCsv(theirs)).toHaveLength(2);
  });

  it("neutralises cells a spreadsheet would run as formulas", async () => {
    const org = await createOrg("Formula");
    const evil = await createUser(org.admin, "ADMIN");
    await db().user.update({ where: { id: evil.userId }, data: { name: '=HYPERLINK("http://evil.test","click")' } });
    const attacker = await signIn(evil.userId);
    for (const value of ["+1+2", "-2+3", "@SUM(A1)", "\t=1+1"]) {
      await recordAudit({
        orgId: org.orgId,
        actor: { id: attacker.ctx.userId, name: attacker.ctx.userName },
        action: "Test",
        section: "Test",
        newValue: value,
      });
    }
    await actAs(org.adminToken);
    const text = await (await exportAuditTrail(exportUrl())).text();
    const cells = parseCsv(text).flat();
    expect(cells).toContain(`'=HYPERLINK("http://evil.test","click")`);
    for (const value of ["+1+2", "-2+3", "@SUM(A1)", "\t=1+1"]) expect(cells).toContain(`'${value}`);
    expect(cells.filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);
  });

  it("filters by date like the page", async () => {
    const org = await createOrg("CsvDates");
    await db().auditEvent.create({ data: { orgId: org.orgId, action: "Old event", section: "Test", createdAt: new Date("2025-01-15T10:00:00Z") } });
    await actAs(org.adminToken);
    const rows = parseCsv(await (await exportAuditTrail(exportUrl("?from=2025-01-15&to=2025-01-15"))).text());
    expect(rows.slice(1).map((row) => row[3])).toEqual(["Old event"]);
  });

  it("refuses standard users (403), signed-out visitors (401) and malformed dates (400)", async () => {
    const org = await createOrg("CsvRoles");
    const standard = await signIn((await createUser(org.admin, "STANDARD")).userId);
    await actAs(standard.token);
    const forbidden = await exportAuditTrail(exportUrl());
    expect(forbidden.status).toBe(403);
    expect(await forbidden.text()).not.toContain("Created org");

    await actAs(null);
    expect((await exportAuditTrail(exportUrl())).status).toBe(401);

    await actAs(org.adminToken);
    for (const query of ["?from=yesterday", "?to=2025-02-30", "?from=2025-02-02&to=2025-02-01"]) {
      expect((await exportAuditTrail(exportUrl(query))).status, query).toBe(400);
    }
  });
});
