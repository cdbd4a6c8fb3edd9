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

const SECRET = "a-code-hash-key-of-32-characters-or-more";

describe("environment: CODE_HASH_KEY and CODE_HASH_KEYS", () => {
  it("unset: version 1 (derived from AUTH_SECRET), no retired keys", () => {
    const parsed = parsedWith({ CODE_HASH_KEY: "", CODE_HASH_KEYS: "" });
    expect(parsed.CODE_HASH_KEY).toBeUndefined();
    expect(parsed.CODE_HASH_KEYS).toEqual([]);
  });

  it("takes a bare secret as version 1, a versioned one, and retired keys by version", () => {
    expect(parsedWith({ CODE_HASH_KEY: SECRET }).CODE_HASH_KEY).toEqual({ version: 1, secret: SECRET });
    expect(parsedWith({ CODE_HASH_KEY: `3:${SECRET}`, CODE_HASH_KEYS: `1:${SECRET}1, 2:${SECRET}2` })).toMatchObject({
      CODE_HASH_KEY: { version: 3, secret: SECRET },
      CODE_HASH_KEYS: [
        { version: 1, secret: `${SECRET}1` },
        { version: 2, secret: `${SECRET}2` },
      ],
    });
  });

  it.each([
    [{ CODE_HASH_KEY: "short" }, "CODE_HASH_KEY: CODE_HASH_KEY secrets must be at least 32 characters"],
    [{ CODE_HASH_KEY: `0:${SECRET}` }, "CODE_HASH_KEY: CODE_HASH_KEY key versions start at 1"],
    [{ CODE_HASH_KEYS: SECRET }, "CODE_HASH_KEYS: CODE_HASH_KEYS entries are <version>:<secret>"],
    [{ CODE_HASH_KEYS: `2:${SECRET},2:${SECRET}x` }, "CODE_HASH_KEYS: CODE_HASH_KEYS repeats version 2"],
    [{ CODE_HASH_KEY: `2:${SECRET}`, CODE_HASH_KEYS: `2:${SECRET}x` }, "CODE_HASH_KEYS: repeats version 2, the version of CODE_HASH_KEY"],
    [{ CODE_HASH_KEYS: `1:${SECRET}` }, "CODE_HASH_KEYS: repeats version 1, the version of CODE_HASH_KEY"],
  ])("stops startup on %o, naming the variable", (values, message) => {
    expect(() => parsedWith(values)).toThrow(message);
  });
});
