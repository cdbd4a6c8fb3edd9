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

describe("the pages that email a code or link say where the email goes, in the embedded default only", () => {
  const pages = {
    "/login": () => import("@/app/(auth)/login/page"),
    "/signup": () => import("@/app/(auth)/signup/page"),
    "/verify": () => import("@/app/(auth)/verify/page"),
    "/forgot-password": () => import("@/app/(auth)/forgot-password/page"),
  };

  it.each(Object.entries(pages))("%s is rendered per request", async (_path, load) => {
    expect((await load()).dynamic).toBe("force-dynamic");
  });

  it("shows the note without SMTP_URL and DATABASE_URL, and nothing otherwise", async () => {
    const { renderToStaticMarkup } = await import("react-dom/server");
    const markup = async (settings: Record<string, string>) => {
      for (const [name, value] of Object.entries(settings)) vi.stubEnv(name, value);
      vi.resetModules();
      const { DevMailboxNote } = await import("@/app/(auth)/dev-mailbox-note");
      const element = DevMailboxNote({});
      return element ? renderToStaticMarkup(element) : "";
    };
    const embedded = await markup({ SMTP_URL: "", DATABASE_URL: "" });
    expect(embedded.replace(/<[^>]+>/g, "")).toBe("Emails go to the dev mailbox at /dev/mailbox while SMTP_URL is unset.");
    expect(embedded).toContain('href="/dev/mailbox"');
    expect(await markup({ SMTP_URL: "smtp://mail.example.test:587", DATABASE_URL: "" })).toBe("");
  });
});
