import { afterEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { startServer } from "@/lib/server/startup";
import { useTestDatabase } from "../support/database";

// The demo orgs' users share a password published in the README. A new
// embedded database that is not the loopback-only demo (mail goes out over
// SMTP_URL, the server listens on every interface) must not get them.

const database = useTestDatabase();

afterEach(() => {
  vi.unstubAllEnvs();
  resetEnvCache();
});

async function start(values: Record<string, string>) {
  for (const [name, value] of Object.entries({ MAIL_WORKER: "off", DATABASE_URL: "", GATEHOUSE_SEED_DEMO: "", ...values })) vi.stubEnv(name, value);
  resetEnvCache();
  vi.spyOn(console, "log").mockImplementation(() => {});
  await startServer();
}

describe("demo orgs at startup", () => {
  it("are not seeded into a new embedded database when SMTP_URL is set and the server listens everywhere", async () => {
    await start({ SMTP_URL: "smtp://mail.example:587", HOST: "0.0.0.0" });
    expect(await db().user.count({ where: { username: "ada@acme.test" } })).toBe(0);
    expect(await db().org.count()).toBe(0);
  });

  it("are seeded there when GATEHOUSE_SEED_DEMO=true", async (ctx) => {
    if (database.current().kind !== "pglite") return ctx.skip(); // never into PostgreSQL at startup
    await start({ SMTP_URL: "smtp://mail.example:587", GATEHOUSE_SEED_DEMO: "true" });
    expect(await db().user.count({ where: { username: "ada@acme.test" } })).toBe(1);
  });
});
