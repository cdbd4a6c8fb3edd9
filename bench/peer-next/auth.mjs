// Better Auth as a Next.js app would configure it: its passkey plugin, its
// defaults except rate limiting (off, as in the bare peer: Gatehouse's limits
// count failures and never trip on the bench's successful logins), on the
// same PostgreSQL as Gatehouse. PORT and DATABASE_URL are read when the
// server starts, not when it is built.
import { passkey } from "@better-auth/passkey";
import { betterAuth } from "better-auth";
import pg from "pg";

const origin = `http://localhost:${process.env.PORT ?? 3602}`;

export const auth = betterAuth({
  baseURL: origin,
  secret: "bench-peer-secret-0123456789abcdef0123456789abcdef",
  database: new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 }),
  emailAndPassword: { enabled: true },
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  plugins: [passkey({ rpID: "localhost", rpName: "Bench peer", origin })],
});
