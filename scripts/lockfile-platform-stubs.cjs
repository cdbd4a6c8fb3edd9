// Adds lockfile entries for other platforms' optional binaries (e.g. @next/swc-darwin-arm64).
// This registry mirror has no such packages, so npm install drops them from package-lock.json and
// npm ci then refuses the lock as out of sync. Run after npm install: node scripts/lockfile-platform-stubs.cjs
const fs = require("fs");
const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"));
const pkgs = lock.packages;
const platform = (name) => {
  const m = name.match(/(android|darwin|freebsd|linux|win32|wasm32)-(arm64|x64|arm|ia32|wasi)/);
  if (!m) return null;
  if (m[1] === "wasm32") return { cpu: ["wasm32"] };
  const cpu = m[2];
  return { os: [m[1]], cpu: [cpu] };
};
let added = [];
for (const [path, meta] of Object.entries(pkgs)) {
  for (const [dep, range] of Object.entries(meta.optionalDependencies || {})) {
    const key = (path ? path + "/" : "") + "node_modules/" + dep;
    const hoisted = "node_modules/" + dep;
    if (pkgs[key] || pkgs[hoisted]) continue;
    const p = platform(dep);
    if (!p) {
      console.error("unknown platform for", dep);
      continue;
    }
    pkgs[hoisted] = { version: range.replace(/^[\^~=]/, ""), optional: true, ...p };
    added.push(dep + "@" + range);
  }
}
const sorted = Object.fromEntries(Object.entries(pkgs).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))));
lock.packages = sorted;
fs.writeFileSync("package-lock.json", JSON.stringify(lock, null, 2) + "\n");
console.log(added.join("\n"));
