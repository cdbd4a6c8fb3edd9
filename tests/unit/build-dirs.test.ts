import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// Next.js adds `<distDir>/types/**/*.ts` to tsconfig.json's include whenever a
// build into a new folder finds it missing. Every folder the project's own
// scripts build into is listed once, so running the tests, the bench or the
// soak leaves `git status` clean.

const root = path.resolve(__dirname, "../..");
const include = (JSON.parse(fs.readFileSync(path.join(root, "tsconfig.json"), "utf8")) as { include: string[] }).include;

/** Every `.next…` folder named in the scripts that build: the test runner, the soak, the bench, npm start. */
function buildDirs(): string[] {
  const files = [
    "scripts/test.mjs",
    "scripts/start.mjs",
    "soak/run.mjs",
    ".ci/run",
    ...fs.readdirSync(path.join(root, "bench/lib")).map((f) => `bench/lib/${f}`),
  ];
  const dirs = new Set([".next"]);
  for (const file of files) {
    for (const match of fs.readFileSync(path.join(root, file), "utf8").matchAll(/["'\s](\.next-[a-z0-9-]+)/g)) dirs.add(match[1]!);
  }
  return [...dirs].sort();
}

describe("tsconfig.json covers every build folder", () => {
  it.each(buildDirs())("%s", (dir) => {
    expect(include).toContain(`${dir}/types/**/*.ts`);
    expect(include).toContain(`${dir}/dev/types/**/*.ts`);
  });

  it("finds the folders the scripts use", () => {
    expect(buildDirs()).toEqual(expect.arrayContaining([".next", ".next-e2e", ".next-soak"]));
  });
});
