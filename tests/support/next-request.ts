import { encode } from "next-auth/jwt";
import { authSecret } from "@/lib/env";
import { sessionCookieName } from "@/lib/auth/options";

// Lets integration tests call real server actions and route handlers: the
// test file mocks next/headers and next/cache with these, then "sends" each
// call as a browser would, with a session cookie (a real next-auth JWT naming
// a real server-side session) and a client IP.
//
//   vi.mock("next/headers", async () => (await import("../support/next-request")).nextHeadersMock);
//   vi.mock("next/cache", async () => (await import("../support/next-request")).nextCacheMock);

const request = { cookie: null as string | null, ip: "203.0.113.7" };
/** Cookies the code under test set (server actions), by name. */
const setCookies = new Map<string, string>();

/** The value of a cookie the last calls set, or undefined. */
export function cookieSet(name: string): string | undefined {
  return setCookies.get(name);
}

/** The next calls come from a browser signed in with this session token (null: signed out), from this IP. */
export async function actAs(sessionToken: string | null, ip = "203.0.113.7"): Promise<void> {
  request.cookie = sessionToken ? await encode({ token: { sid: sessionToken }, secret: authSecret() }) : null;
  request.ip = ip;
  setCookies.clear();
}

export const nextHeadersMock = {
  cookies: async () => ({
    get: (name: string) => {
      if (name === sessionCookieName() && request.cookie) return { name, value: request.cookie };
      const value = setCookies.get(name);
      return value === undefined ? undefined : { name, value };
    },
    set: (name: string, value: string) => void setCookies.set(name, value),
  }),
  headers: async () => new Headers({ "x-forwarded-for": request.ip, "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0" }),
};

export const nextCacheMock = {
  revalidatePath: () => undefined,
};

/** What forbidden() throws: Next turns it into an HTTP 403 response. */
export function isForbiddenSignal(error: unknown): boolean {
  return typeof error === "object" && error !== null && String((error as { digest?: unknown }).digest) === "NEXT_HTTP_ERROR_FALLBACK;403";
}

/** A FormData as the Session Settings form posts it. */
export function formData(fields: Record<string, string | string[] | undefined>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) form.append(name, item);
  }
  return form;
}
