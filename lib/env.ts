import "server-only";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { parseTrustedProxies } from "./http/client-ip.mjs";

/** One key of the HMAC that stores recovery and temporary codes (lib/crypto/code-hash.ts), and its version. */
export interface CodeHashKey {
  version: number;
  secret: string;
}

const CODE_HASH_KEY_ENTRY = /^(?:(\d{1,6}):)?(.*)$/s;

/** "<version>:<secret>" (or, where `bareVersion` is given, a bare secret of that version); the secret has 32+ characters. */
function parseCodeHashKey(entry: string, name: string, bareVersion: number | null): CodeHashKey | string {
  const [, version, secret = ""] = CODE_HASH_KEY_ENTRY.exec(entry.trim())!;
  if (version === undefined && bareVersion === null) return `${name} entries are <version>:<secret> (e.g. 1:…)`;
  const parsed = version === undefined ? bareVersion! : Number(version);
  if (parsed < 1) return `${name} key versions start at 1 (0 names the SHA-256 codes stored before keyed hashes)`;
  if (secret.length < 32) return `${name} secrets must be at least 32 characters (openssl rand -base64 48)`;
  return { version: parsed, secret };
}

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must be a postgres:// or postgresql:// URL")
    .optional(),
  APP_URL: z.string().url("APP_URL must be an absolute URL").default("http://localhost:3000"),
  AUTH_SECRET: z.string().min(32, "AUTH_SECRET must be at least 32 characters").optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, "SMTP_URL must be smtp:// or smtps://")
    .optional(),
  MAIL_FROM: z.string().default("Gatehouse <no-reply@gatehouse.local>"),
  // "off" when `npm run mail:worker` delivers mail instead of the app instances.
  MAIL_WORKER: z.enum(["on", "off"], { message: 'MAIL_WORKER must be "on" or "off"' }).default("on"),
  // Outbox delivery: first retry after MAIL_RETRY_BASE_SECONDS (doubling up to an hour), and how long a
  // worker's claim on a message lasts before another worker may take it over (a worker that died mid-send).
  // The claim must outlast one SMTP attempt (connection and socket timeouts: 45 s).
  MAIL_RETRY_BASE_SECONDS: z.coerce.number().int().min(1, "MAIL_RETRY_BASE_SECONDS must be at least 1").max(3600).default(30),
  MAIL_CLAIM_LEASE_SECONDS: z.coerce
    .number()
    .int()
    .min(60, "MAIL_CLAIM_LEASE_SECONDS must be at least 60 (one SMTP attempt can take 45 s)")
    .max(3600)
    .default(300),
  // Email quotas per rolling hour (security alerts are never refused): per recipient address, and per org.
  EMAIL_QUOTA_PER_RECIPIENT: z.coerce.number().int().min(1, "EMAIL_QUOTA_PER_RECIPIENT must be at least 1").default(20),
  EMAIL_QUOTA_PER_ORG: z.coerce.number().int().min(1, "EMAIL_QUOTA_PER_ORG must be at least 1").default(500),
  // Security alerts sent one by one to one address per hour, whatever the org; past it each org's newest waits
  // for the hour's end and its older ones are folded into one digest (lib/email/alert-cap.ts).
  EMAIL_ALERT_CAP_PER_RECIPIENT: z.coerce.number().int().min(1, "EMAIL_ALERT_CAP_PER_RECIPIENT must be at least 1").default(10),
  // How long history is kept (lib/events/retention.ts), in days: sign-in activity (login and verification events,
  // Login History, Identity Verification History), the metadata of mail sent or given up on, and changes (every
  // other event and the Setup Audit Trail; 0 keeps them forever).
  RETENTION_DAYS_ACTIVITY: z.coerce.number().int().min(1, "RETENTION_DAYS_ACTIVITY must be at least 1").max(36_500).default(180),
  RETENTION_DAYS_EMAIL: z.coerce.number().int().min(1, "RETENTION_DAYS_EMAIL must be at least 1").max(36_500).default(180),
  RETENTION_DAYS_CHANGES: z.coerce.number().int().min(0, "RETENTION_DAYS_CHANGES must be 0 (forever) or more").max(36_500).default(0),
  // Sign-ups started per client IP per hour (each emails a code to an address nobody has proved yet).
  SIGNUP_LIMIT_PER_IP: z.coerce.number().int().min(1, "SIGNUP_LIMIT_PER_IP must be at least 1").default(10),
  // Password logins one instance works on at once before the next is turned away with 503 (unset → 64 per core),
  // and how long the hashing threads (lib/auth/passwords/hash-pool.ts) stay after their last hash.
  PASSWORD_LOGIN_LIMIT: z.coerce.number().int().min(1, "PASSWORD_LOGIN_LIMIT must be at least 1").optional(),
  // Each client's share of those, per instance (lib/auth/login/admission.ts): password checks in flight per IP (IPv6 per /64),
  // per IPv6 /48, per account and per org. A known browser (valid device cookie) is not held to them.
  PASSWORD_CHECKS_PER_IP: z.coerce.number().int().min(1, "PASSWORD_CHECKS_PER_IP must be at least 1").default(2),
  PASSWORD_CHECKS_PER_IPV6_48: z.coerce.number().int().min(1, "PASSWORD_CHECKS_PER_IPV6_48 must be at least 1").default(4),
  PASSWORD_CHECKS_PER_ACCOUNT: z.coerce.number().int().min(1, "PASSWORD_CHECKS_PER_ACCOUNT must be at least 1").default(2),
  PASSWORD_CHECKS_PER_ORG: z.coerce.number().int().min(1, "PASSWORD_CHECKS_PER_ORG must be at least 1").default(16),
  // Correct-password logins per client IP (IPv6 per /64) in 10 minutes, in the database; past it the password step is rate limited.
  PASSWORD_LOGIN_SUCCESSES_PER_IP: z.coerce.number().int().min(1, "PASSWORD_LOGIN_SUCCESSES_PER_IP must be at least 1").default(600),
  // Admin API requests per API token per minute (lib/api-tokens/resolve.ts), counted in the database; past it, 429 with Retry-After.
  API_TOKEN_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1, "API_TOKEN_REQUESTS_PER_MINUTE must be at least 1").default(600),
  HASH_POOL_IDLE_SECONDS: z.coerce.number().positive("HASH_POOL_IDLE_SECONDS must be more than 0").max(86_400).default(15),
  // How far X-Forwarded-For is believed (scripts/server.mjs decides the client IP with it): unset → not at all.
  TRUSTED_PROXIES: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      try {
        parseTrustedProxies(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: error instanceof Error ? error.message : String(error) });
      }
    }),
  // Attestation trust (lib/webauthn/trust): a FIDO MDS3 BLOB file the operator downloads, and extra PEM roots the operator trusts.
  FIDO_MDS_FILE: z.string().optional(),
  // Where `npm run mds:update` downloads the BLOB from, and extra issuing CAs of its signer
  // (comma-separated subject CNs or SHA-256 fingerprints) beyond the one lib/webauthn/trust/mds-signer.ts ships.
  FIDO_MDS_URL: z.string().url("FIDO_MDS_URL must be an absolute URL").default("https://mds3.fidoalliance.org/"),
  FIDO_MDS_SIGNER_ISSUERS: z.string().optional(),
  ATTESTATION_ROOTS_FILE: z.string().optional(),
  // Tests only: a PEM root that may sign a test MDS BLOB; startup refuses it when NODE_ENV=production.
  FIDO_MDS_TEST_ROOT_FILE: z.string().optional(),
  // The key of the HMAC that stores recovery and temporary codes: "<version>:<secret>" or a bare secret (version 1);
  // unset → version 1, derived from AUTH_SECRET. CODE_HASH_KEYS: retired keys ("1:<secret>,2:<secret>") that still
  // verify the codes issued under them; without them those codes stop working.
  CODE_HASH_KEY: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      const key = parseCodeHashKey(value, "CODE_HASH_KEY", 1);
      if (typeof key !== "string") return key;
      ctx.addIssue({ code: "custom", message: key });
      return z.NEVER;
    }),
  CODE_HASH_KEYS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const keys: CodeHashKey[] = [];
      for (const entry of (value ?? "").split(",").filter((e) => e.trim())) {
        const key = parseCodeHashKey(entry, "CODE_HASH_KEYS", null);
        if (typeof key === "string") ctx.addIssue({ code: "custom", message: key });
        else if (keys.some((k) => k.version === key.version)) ctx.addIssue({ code: "custom", message: `CODE_HASH_KEYS repeats version ${key.version}` });
        else keys.push(key);
      }
      return keys;
    }),
  // The address `npm start` listens on: unset → loopback for the embedded demo (it serves /dev/mailbox), every interface otherwise.
  HOST: z.string().optional(),
  // The demo orgs (their users share the password published in the README) go into a new embedded database:
  // unset → only in the embedded-mailbox demo (no SMTP_URL, no DATABASE_URL); "true" → there even with SMTP_URL.
  GATEHOUSE_SEED_DEMO: z.enum(["true", "false"], { message: 'GATEHOUSE_SEED_DEMO must be "true" or "false"' }).optional(),
});

export type Env = z.infer<typeof envSchema> & {
  /** An operated deployment: PostgreSQL in production mode. The embedded demo never is. */
  isProductionDeployment: boolean;
  databaseKind: "pglite" | "postgres";
  /** Whether startup seeds the demo orgs into a new embedded database (GATEHOUSE_SEED_DEMO). */
  seedDemoData: boolean;
};

let cached: Env | undefined;

/** Parses the environment once; an invalid value stops startup with the variable's name. */
export function env(): Env {
  if (cached) return cached;
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== "")));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid Gatehouse configuration:\n${lines.join("\n")}`);
  }
  const values = parsed.data;
  const codeHashVersion = values.CODE_HASH_KEY?.version ?? 1;
  if (values.CODE_HASH_KEYS.some((k) => k.version === codeHashVersion)) {
    throw new Error(`Invalid Gatehouse configuration:\n  CODE_HASH_KEYS: repeats version ${codeHashVersion}, the version of CODE_HASH_KEY`);
  }
  cached = {
    ...values,
    databaseKind: values.DATABASE_URL ? "postgres" : "pglite",
    isProductionDeployment: values.NODE_ENV === "production" && Boolean(values.DATABASE_URL),
    seedDemoData: values.GATEHOUSE_SEED_DEMO === "true" || (values.GATEHOUSE_SEED_DEMO === undefined && !values.SMTP_URL && !values.DATABASE_URL),
  };
  return cached;
}

/** Tests that change process.env: the next env() parses it again. */
export function resetEnvCache(): void {
  cached = undefined;
}

/**
 * The secret that signs session cookies. Deployments must set AUTH_SECRET; the
 * embedded demo generates one on first start and keeps it beside its database.
 */
export function authSecret(): string {
  const { AUTH_SECRET, isProductionDeployment } = env();
  if (AUTH_SECRET) return AUTH_SECRET;
  if (isProductionDeployment) {
    throw new Error("AUTH_SECRET is required in production: set it to a random string of 32+ characters (openssl rand -base64 48).");
  }
  const file = path.join(/*turbopackIgnore: true*/ process.cwd(), ".data", "auth-secret");
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    const secret = crypto.randomBytes(48).toString("base64url");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, secret, { mode: 0o600, flag: "wx" });
    return secret;
  }
}
