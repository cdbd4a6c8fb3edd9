import { describe, expect, it } from "vitest";
import { EMAIL_TEMPLATES } from "@/emails";
import { parseInput } from "@/lib/auth/action";
import { db } from "@/lib/db/client";
import { EmailRejectedError, enqueueEmail } from "@/lib/email/outbox";
import { listEmailLog } from "@/lib/email/queries";
import { addUser } from "@/lib/users/mutations";
import { addUserSchema } from "@/lib/validation/account";
import { useTestDatabase } from "../support/database";
import { createOrg, inviteUser } from "../support/factories";

useTestDatabase();

const invitation = EMAIL_TEMPLATES["set-password"].preview;
const keyRegistered = EMAIL_TEMPLATES["security-key-registered"].preview;

async function counts() {
  const [emails, users, audits] = await Promise.all([db().emailMessage.count(), db().user.count(), db().auditEvent.count()]);
  return { emails, users, audits };
}

describe("enqueueEmail refuses bad input before anything is queued", () => {
  const badRecipients = [
    "",
    "not-an-email",
    "a@b",
    "ada@acme.test\r\nBcc: all@victims.test",
    "Ada <ada@acme.test>",
    "a@x.io, b@y.io",
    `${"a".repeat(250)}@x.io`,
  ];

  it.each(badRecipients)("recipient %j", async (to) => {
    const org = await createOrg("Bad");
    const before = await counts();
    // The change the email would report is written in the same transaction, and rolled back with it.
    await expect(
      db().$transaction(async (tx) => {
        await tx.auditEvent.create({ data: { orgId: org.orgId, action: "Would be reported", section: "Test" } });
        await enqueueEmail(tx, { orgId: org.orgId, to, template: "set-password", data: invitation });
      }),
    ).rejects.toBeInstanceOf(EmailRejectedError);
    expect(await counts()).toEqual(before);
  });

  const badData: [string, "set-password" | "security-key-registered", Record<string, unknown>][] = [
    ["an oversized name", "set-password", { ...invitation, name: "N".repeat(101) }],
    ["an oversized org name", "set-password", { ...invitation, orgName: "O".repeat(101) }],
    ["a javascript: link", "set-password", { ...invitation, link: "javascript:alert(1)" }],
    ["an oversized link", "set-password", { ...invitation, link: `https://x.test/${"a".repeat(3000)}` }],
    ["a missing field", "set-password", { ...invitation, expiresAt: undefined }],
    ["an oversized key name", "security-key-registered", { ...keyRegistered, keyName: "K".repeat(65) }],
    ["an oversized browser", "security-key-registered", { ...keyRegistered, browser: "B".repeat(201) }],
    ["an oversized IP", "security-key-registered", { ...keyRegistered, ip: "1".repeat(65) }],
  ];

  it.each(badData)("%s", async (_label, template, data) => {
    const org = await createOrg("Big");
    const before = await counts();
    const attempt = db().$transaction((tx) => enqueueEmail(tx, { orgId: org.orgId, to: "ok@acme.test", template, data: data as never }));
    await expect(attempt).rejects.toBeInstanceOf(EmailRejectedError);
    // The error names the field, never the value (which may be personal data).
    await expect(attempt).rejects.not.toThrow(/NNNN|OOOO|KKKK|BBBB/);
    expect(await counts()).toEqual(before);
  });

  it("an unknown template", async () => {
    const org = await createOrg("Unknown");
    const before = await counts();
    await expect(
      db().$transaction((tx) => enqueueEmail(tx, { orgId: org.orgId, to: "ok@acme.test", template: "nope" as "set-password", data: invitation })),
    ).rejects.toBeInstanceOf(EmailRejectedError);
    expect(await counts()).toEqual(before);
  });
});

describe("adding a user with bad input queues nothing", () => {
  const good = { name: "Val Id", username: "val@acme.test", email: "val@acme.test", role: "STANDARD" };
  const bad: [string, Record<string, unknown>, string][] = [
    ["a malformed email", { ...good, email: "val@" }, "email"],
    ["a header-injection email", { ...good, email: "val@acme.test\nBcc: x@y.test" }, "email"],
    ["an oversized email", { ...good, email: `${"v".repeat(250)}@acme.test` }, "email"],
    ["an oversized name", { ...good, name: "V".repeat(101) }, "name"],
    ["a malformed username", { ...good, username: "val" }, "username"],
    ["an unknown role", { ...good, role: "OWNER" }, "role"],
  ];

  it.each(bad)("the form refuses %s with a field error", async (_label, input, field) => {
    const before = await counts();
    await expect(parseInput(addUserSchema, input)).rejects.toMatchObject({ fieldErrors: { [field]: expect.any(String) } });
    expect(await counts()).toEqual(before);
  });

  it("and the service itself refuses a malformed address that skipped the form, leaving no user behind", async () => {
    const org = await createOrg("Direct");
    const before = await counts();
    await expect(addUser(org.admin, { ...good, username: "direct@acme.test", email: "direct@", role: "STANDARD" })).rejects.toBeInstanceOf(EmailRejectedError);
    expect(await counts()).toEqual(before);
  });
});

describe("the Email Log", () => {
  it("lists only the admin's own org's messages, filterable by state", async () => {
    const acme = await createOrg("Acme");
    const globex = await createOrg("Globex");
    const a = await inviteUser(acme.admin);
    const g = await inviteUser(globex.admin);
    const log = await listEmailLog(acme.admin, { page: 1 });
    expect(log.messages.map((m) => m.to)).toEqual([a.username]);
    expect(log.total).toBe(1);
    expect((await listEmailLog(globex.admin, { page: 1 })).messages.map((m) => m.to)).toEqual([g.username]);
    expect((await listEmailLog(acme.admin, { page: 1, state: "SENT" })).messages).toEqual([]);
    expect((await listEmailLog(acme.admin, { page: 1, state: "QUEUED" })).messages).toHaveLength(1);
  });
});
