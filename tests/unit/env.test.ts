import { afterEach, describe, expect, it, vi } from "vitest";
import { env, resetEnvCache } from "@/lib/env";

afterEach(() => {
  vi.unstubAllEnvs();
  resetEnvCache();
});

function parsedWith(values: Record<string, string>) {
  for (const [name, value] of Object.entries(values)) vi.stubEnv(name, value);
  resetEnvCache();
  return env();
}

describe("environment: password hashing", () => {
  it("defaults: no fixed login limit (64 per core is derived) and threads that stop after 15 s", () => {
    vi.stubEnv("PASSWORD_LOGIN_LIMIT", "");
    vi.stubEnv("HASH_POOL_IDLE_SECONDS", "");
    resetEnvCache();
    expect(env().PASSWORD_LOGIN_LIMIT).toBeUndefined();
    expect(env().HASH_POOL_IDLE_SECONDS).toBe(15);
  });

  it("takes a login limit and an idle time, fractions of a second included", () => {
    expect(parsedWith({ PASSWORD_LOGIN_LIMIT: "200", HASH_POOL_IDLE_SECONDS: "0.5" })).toMatchObject({
      PASSWORD_LOGIN_LIMIT: 200,
      HASH_POOL_IDLE_SECONDS: 0.5,
    });
  });

  it.each([
    ["PASSWORD_LOGIN_LIMIT", "0", "PASSWORD_LOGIN_LIMIT: PASSWORD_LOGIN_LIMIT must be at least 1"],
    ["PASSWORD_LOGIN_LIMIT", "2.5", "PASSWORD_LOGIN_LIMIT"],
    ["PASSWORD_LOGIN_LIMIT", "lots", "PASSWORD_LOGIN_LIMIT"],
    ["HASH_POOL_IDLE_SECONDS", "0", "HASH_POOL_IDLE_SECONDS: HASH_POOL_IDLE_SECONDS must be more than 0"],
    ["HASH_POOL_IDLE_SECONDS", "-3", "HASH_POOL_IDLE_SECONDS"],
  ])("refuses %s=%s, naming the variable", (name, value, message) => {
    expect(() => parsedWith({ [name]: value })).toThrow(message);
  });
});

describe("environment: TRUSTED_PROXIES", () => {
  it.each(["0.0.0.0/0", "::/0", "::ffff:0:0/96"])("stops startup on %s, naming the variable", (value) => {
    expect(() => parsedWith({ TRUSTED_PROXIES: value })).toThrow(/TRUSTED_PROXIES: TRUSTED_PROXIES lists .* broader than/);
  });
});

describe("environment: GATEHOUSE_SEED_DEMO", () => {
  const clear = { SMTP_URL: "", DATABASE_URL: "", GATEHOUSE_SEED_DEMO: "" };

  it("seeds the demo orgs (published password) only in the embedded-mailbox mode unless asked", () => {
    expect(parsedWith(clear).seedDemoData).toBe(true);
    // A server that sends real mail is not the loopback-only demo, whatever its database.
    expect(parsedWith({ ...clear, SMTP_URL: "smtp://mail.example:587", HOST: "0.0.0.0" }).seedDemoData).toBe(false);
    expect(parsedWith({ ...clear, DATABASE_URL: "postgresql://db/gatehouse" }).seedDemoData).toBe(false);
  });

  it("GATEHOUSE_SEED_DEMO=true seeds them anyway, =false never", () => {
    expect(parsedWith({ ...clear, SMTP_URL: "smtp://mail.example:587", GATEHOUSE_SEED_DEMO: "true" }).seedDemoData).toBe(true);
    expect(parsedWith({ ...clear, GATEHOUSE_SEED_DEMO: "false" }).seedDemoData).toBe(false);
  });

  it("refuses any other value, naming the variable", () => {
    expect(() => parsedWith({ ...clear, GATEHOUSE_SEED_DEMO: "yes" })).toThrow("GATEHOUSE_SEED_DEMO");
  });
});
