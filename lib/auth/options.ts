import "server-only";
import type { NextAuthOptions } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { authSecret } from "../env";
import { cookieFlags, cookieName, cookieValue } from "./cookies";
import { UserFacingError } from "../errors";
import { requestInfo } from "../http/request-info";
import { completePendingLogin, pendingLoginCookieName } from "./login/pending-login";
import { endSessionByToken } from "./session";

// Next.js hands over the CommonJS module's default export; Node's own ESM loader (tsx scripts such as
// bench/seed.ts that reach this module through lib/auth/context) hands over module.exports.
const CredentialsProvider = (Credentials as unknown as { default?: typeof Credentials }).default ?? Credentials;

export const SESSION_COOKIE_MAX_AGE = 30 * 24 * 60 * 60;

/** Cookie carrying the next-auth JWT; the JWT carries only our session token. */
export function sessionCookieName(): string {
  return cookieName("session");
}

declare module "next-auth/jwt" {
  interface JWT {
    /** Random token naming the server-side Session row. */
    sid?: string;
  }
}

export const authOptions: NextAuthOptions = {
  // A getter, so the secret is read per request, not when the module is bundled.
  get secret() {
    return authSecret();
  },
  session: { strategy: "jwt", maxAge: SESSION_COOKIE_MAX_AGE },
  pages: { signIn: "/login", error: "/login" },
  get cookies() {
    return { sessionToken: { name: sessionCookieName(), options: cookieFlags() } };
  },
  providers: [
    // The password and any verification happened before (POST /api/login,
    // /verify); they left a verified pending login, named by its httpOnly
    // cookie. This turns it into a session, exactly once.
    CredentialsProvider({
      name: "Pending login",
      credentials: {},
      async authorize(_credentials, req) {
        const headers = req.headers ?? {};
        try {
          const token = cookieValue(headers.cookie, pendingLoginCookieName());
          const result = await completePendingLogin(token, requestInfo(headers));
          return { id: result.userId, sessionToken: result.sessionToken };
        } catch (error) {
          // next-auth hands a thrown message to the login form; only ours are safe to show.
          // No `cause`: next-auth serialises what it is given, and the original may say more than the user should see.
          // eslint-disable-next-line preserve-caught-error -- see above
          if (error instanceof UserFacingError) throw new Error(error.message);
          console.error("login failed", error);
          // eslint-disable-next-line preserve-caught-error -- see above; the original is logged
          throw new Error("Something went wrong. Try again.");
        }
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user && "sessionToken" in user) return { sid: String(user.sessionToken) };
      return token;
    },
    // The browser learns nothing from /api/auth/session beyond "signed in".
    session({ session }) {
      return { expires: session.expires };
    },
  },
  events: {
    async signOut({ token }) {
      if (token?.sid) await endSessionByToken(token.sid, "logout");
    },
  },
};
