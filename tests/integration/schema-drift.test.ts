import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

describe("prisma/schema.prisma and prisma/migrations", () => {
  it("agree: every schema change has a migration", () => {
    const tsx = path.join("node_modules", "tsx", "dist", "cli.mjs");
    const result = spawnSync(process.execPath, [tsx, "--conditions=react-server", "scripts/db-migration.ts", "--check"], {
      encoding: "utf8",
      env: { ...process.env, DATABASE_URL: "" },
      timeout: 120_000,
    });
    expect(result.stderr + result.stdout).not.toMatch(/has changes no migration contains/);
    expect(result.status).toBe(0);
  }, 150_000);
});
