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
  it("defaults: no fixed queue limit (the pool derives 64 per core) and threads that stop after 15 s", () => {
    vi.stubEnv("HASH_QUEUE_LIMIT", "");
    vi.stubEnv("HASH_POOL_IDLE_SECONDS", "");
    resetEnvCache();
    expect(env().HASH_QUEUE_LIMIT).toBeUndefined();
    expect(env().HASH_POOL_IDLE_SECONDS).toBe(15);
  });

  it("takes a queue limit and an idle time, fractions of a second included", () => {
    expect(parsedWith({ HASH_QUEUE_LIMIT: "200", HASH_POOL_IDLE_SECONDS: "0.5" })).toMatchObject({ HASH_QUEUE_LIMIT: 200, HASH_POOL_IDLE_SECONDS: 0.5 });
  });

  it.each([
    ["HASH_QUEUE_LIMIT", "0", "HASH_QUEUE_LIMIT: HASH_QUEUE_LIMIT must be at least 1"],
    ["HASH_QUEUE_LIMIT", "2.5", "HASH_QUEUE_LIMIT"],
    ["HASH_QUEUE_LIMIT", "lots", "HASH_QUEUE_LIMIT"],
    ["HASH_POOL_IDLE_SECONDS", "0", "HASH_POOL_IDLE_SECONDS: HASH_POOL_IDLE_SECONDS must be more than 0"],
    ["HASH_POOL_IDLE_SECONDS", "-3", "HASH_POOL_IDLE_SECONDS"],
  ])("refuses %s=%s, naming the variable", (name, value, message) => {
    expect(() => parsedWith({ [name]: value })).toThrow(message);
  });
});
