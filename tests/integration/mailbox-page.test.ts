import { NextRequest } from "next/server";
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

describe("/dev/mailbox/html: a message's HTML part as its own response, for the mailbox's frame", () => {
  /** The route module under a fresh configuration, like freshPage. */
  async function freshRoute(settings: Record<string, string>) {
    for (const [name, value] of Object.entries(settings)) vi.stubEnv(name, value);
    vi.resetModules();
    const client = await import("@/lib/db/client");
    client.setDatabase(testDatabase.current());
    return { route: await import("@/app/dev/mailbox/html/route"), db: client.db };
  }
  const get = (route: { GET(request: NextRequest): Promise<Response> }, query: string) =>
    route.GET(new NextRequest(`http://localhost:3000/dev/mailbox/html?${query}`));

  const SCRIPTED =
    '<!doctype html><html><head><title>x</title></head><body><p style="color:#2a56d9">Hi</p><script>document.title = "ran"</script></body></html>';

  it("is rendered per request, never prerendered", async () => {
    const { route } = await freshRoute({ SMTP_URL: "", DATABASE_URL: "" });
    expect(route.dynamic).toBe("force-dynamic");
  });

  it("serves a kept message's HTML as a document of its own, never cached, its links opening in the mailbox's tab", async () => {
    const { route, db } = await freshRoute({ SMTP_URL: "", DATABASE_URL: "" });
    const { id } = await db().emailMessage.create({
      data: { template: "signup-code", to: "ada@example.test", subject: "Styled", text: "Hi", html: SCRIPTED },
      select: { id: true },
    });
    const response = await get(route, `id=${id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("x-robots-tag")).toBe("noindex");
    // The email as it was sent (its styles included); the browser enforces the policy proxy.ts gives this path.
    expect(await response.text()).toBe(SCRIPTED.replace("<head>", '<head><base target="_top">'));

    const preview = await get(route, "preview=set-password");
    expect(preview.status).toBe(200);
    expect(await preview.text()).toContain("Set your password");
  });

  it("answers 404 for an unknown or malformed id, an unknown preview, or nothing asked", async () => {
    const { route } = await freshRoute({ SMTP_URL: "", DATABASE_URL: "" });
    for (const query of ["id=8d0a3c56-4c1e-4d34-9d55-1f1f5a6f0f0a", "id=not-an-id", "id=", "preview=no-such-template", "preview=__proto__", "", "id=a&id=b"]) {
      expect((await get(route, query)).status, query).toBe(404);
    }
  });

  it("answers 404 wherever /dev/mailbox does: with SMTP_URL, or with DATABASE_URL", async () => {
    const { db } = await freshRoute({ SMTP_URL: "", DATABASE_URL: "" });
    const { id } = await db().emailMessage.create({
      data: { template: "signup-code", to: "ada@example.test", subject: "Kept", text: "Hi", html: SCRIPTED },
      select: { id: true },
    });
    const withSmtp = await freshRoute({ SMTP_URL: "smtp://mail.example.test:587", DATABASE_URL: "" });
    const withPostgres = await freshRoute({ SMTP_URL: "", DATABASE_URL: "postgresql://localhost/gatehouse", NODE_ENV: "development" });
    for (const { route } of [withSmtp, withPostgres]) {
      for (const query of [`id=${id}`, "preview=set-password"]) {
        const response = await get(route, query);
        expect(response.status, query).toBe(404);
        expect(await response.text()).not.toContain("Hi");
      }
    }
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
