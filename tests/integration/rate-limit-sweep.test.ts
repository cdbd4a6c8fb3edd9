import { describe, expect, it } from "vitest";
import { authenticateWithPassword } from "@/lib/auth/login/login";
import { db } from "@/lib/db/client";
import { useTestDatabase } from "../support/database";
import { rejectionOf } from "../support/db-state";
import { requestFromNewIp } from "../support/requests";

// Issue 24 item 12: every anonymous login adds rate-limit rows (a username, an
// address); expired ones are swept, so the table does not grow without bound.
// Its own file: the sweep runs at most once a minute per process (module graph).

useTestDatabase();

describe("rate-limit rows", () => {
  it("are swept once expired, by the logins that add new ones", async () => {
    const expired = { count: 3, windowStart: new Date(0), expiresAt: new Date(60_000) };
    await db().rateLimit.createMany({ data: [1, 2, 3].map((i) => ({ key: `login:user:long-gone${i}@nowhere.test`, ...expired })) });
    const live = { key: "login:user:still-counting@nowhere.test", count: 2, windowStart: new Date(), expiresAt: new Date(Date.now() + 600_000) };
    await db().rateLimit.create({ data: live });

    await rejectionOf(authenticateWithPassword("someone@nowhere.test", "guess-guess-guess", requestFromNewIp()));

    expect(await db().rateLimit.count({ where: { key: { startsWith: "login:user:long-gone" } } })).toBe(0);
    expect(await db().rateLimit.findUnique({ where: { key: live.key } })).toMatchObject({ count: 2 });
  });
});
