// The build's source fingerprint: `npm start` (scripts/start.mjs) rebuilds only when it differs from the one
// stamped in the dist directory, and the test suite (scripts/test.mjs) stamps the build it makes, so a
// `npm start` after `npm test` on the same checkout and dist directory starts without building again.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const STAMP = "gatehouse-source-fingerprint";
const SOURCES = [
  "app",
  "lib",
  "emails",
  "prisma/schema.prisma",
  "instrumentation.ts",
  "proxy.ts",
  "next.config.js",
  "postcss.config.mjs",
  "package-lock.json",
  "tsconfig.json",
];

/** Hash of every file that shapes the build (path, size, modification time), so a changed checkout rebuilds. */
export function sourceFingerprint(root) {
  const hash = crypto.createHash("sha256");
  const visit = (entry) => {
    const full = path.join(root, entry);
    if (!fs.existsSync(full)) return;
    const stat = fs.statSync(full);
    if (stat.isDirectory()) {
      for (const child of fs.readdirSync(full).sort()) visit(path.join(entry, child));
    } else {
      hash.update(`${entry}:${stat.size}:${stat.mtimeMs}\n`);
    }
  };
  SOURCES.forEach(visit);
  return hash.digest("hex");
}

/** Whether `distDir` holds a finished build of these sources. */
export function isBuilt(root, distDir) {
  const stamp = path.join(root, distDir, STAMP);
  return fs.existsSync(path.join(root, distDir, "BUILD_ID")) && fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === sourceFingerprint(root);
}

/** Records that `distDir` now holds a build of the sources as they are (call right after `next build`). */
export function stampBuild(root, distDir, fingerprint = sourceFingerprint(root)) {
  fs.writeFileSync(path.join(root, distDir, STAMP), fingerprint);
}
