import { afterEach, describe, expect, it, vi } from "vitest";
import { useTestDatabase } from "../support/database";

// /dev/mailbox exists only in the embedded default (no SMTP_URL, no
// DATABASE_URL), decided at request time: a build made under other settings
// must not freeze it as a 404 (or as a page) for later runs.

const testDatabase = useTestDatabase();

/** The page module under a fresh configuration: env() parses process.env once per module graph. */
async function freshPage(settings: Record<string, string>) {
  for (const [name, value] of Object.entries(settings)) vi.stubEnv(name, value);
  vi.resetModules();
  // The fresh module graph has its own database holder: give it this file's database.
  (await import("@/lib/db/client")).setDatabase(testDatabase.current());
  return import("@/app/dev/mailbox/page");
}

const notFoundDigest = (error: unknown) => (typeof error === "object" && error !== null ? String((error as { digest?: unknown }).digest) : "");

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("/dev/mailbox", () => {
  it("is rendered per request, never prerendered", async () => {
    const page = await import("@/app/dev/mailbox/page");
    expect(page.dynamic).toBe("force-dynamic");
    expect("revalidate" in page).toBe(false);
    expect("generateStaticParams" in page).toBe(false);
  });

  it("answers 404 when SMTP_URL or DATABASE_URL is set, and renders in the embedded default", async () => {
    const params = { searchParams: Promise.resolve({}) };

    const withSmtp = await freshPage({ SMTP_URL: "smtp://mail.example.test:587", DATABASE_URL: "" });
    await expect(withSmtp.default(params)).rejects.toSatisfy((error) => notFoundDigest(error) === "NEXT_HTTP_ERROR_FALLBACK;404");

    const withPostgres = await freshPage({ SMTP_URL: "", DATABASE_URL: "postgresql://localhost/gatehouse", NODE_ENV: "development" });
    await expect(withPostgres.default(params)).rejects.toSatisfy((error) => notFoundDigest(error) === "NEXT_HTTP_ERROR_FALLBACK;404");

    const embedded = await freshPage({ SMTP_URL: "", DATABASE_URL: "" });
    await expect(embedded.default(params)).resolves.toBeTruthy();
  });
});
