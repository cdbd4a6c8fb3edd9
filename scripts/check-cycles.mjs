#!/usr/bin/env node
// `npm run check:cycles`: fails, listing each import cycle among the modules of app/, lib/ and emails/.
// Imports are resolved with the TypeScript compiler and tsconfig.json (so the "@/…" alias and
// extensionless paths resolve as they do in the build).
// Ignored, because they cannot cause a module to be evaluated before its dependencies:
//   - type-only imports and re-exports: `import type …`, `export type … from`, and imports whose every
//     named binding is `type` (`import { type A, type B } from …`), all erased from the emitted JavaScript;
//   - dynamic `import()`, which loads lazily at call time.
// Flags: --json prints the cycles as JSON; --include-types counts type-only imports too (for information).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const scanned = ["app", "lib", "emails"];
const skipped = new Set(["node_modules", "generated", ".next"]);
const includeTypes = process.argv.includes("--include-types");
const ignoredNote = includeTypes ? "dynamic import() ignored" : "type-only imports and dynamic import() ignored";

const configPath = path.join(root, "tsconfig.json");
const config = ts.readConfigFile(configPath, ts.sys.readFile);
if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, "\n"));
const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
const resolutionCache = ts.createModuleResolutionCache(root, (name) => name, options);

function walk(dir, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (skipped.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (/\.(ts|tsx|mts|cts)$/.test(entry.name) && !/\.d\.[cm]?ts$/.test(entry.name)) out.push(full);
  }
  return out;
}

const files = scanned.flatMap((dir) => (fs.existsSync(path.join(root, dir)) ? walk(path.join(root, dir)) : [])).sort();
const inScope = new Set(files);
const rel = (file) => path.relative(root, file).split(path.sep).join("/");

/** True when the import or export declaration is erased from the emitted JavaScript. */
function isTypeOnly(node) {
  if (ts.isImportDeclaration(node)) {
    const clause = node.importClause;
    if (!clause) return false; // import "x": a side-effect import
    if (clause.isTypeOnly) return true;
    if (clause.name) return false; // a default import
    const bindings = clause.namedBindings;
    if (!bindings || ts.isNamespaceImport(bindings)) return false;
    return bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly);
  }
  if (ts.isExportDeclaration(node)) {
    if (node.isTypeOnly) return true;
    const clause = node.exportClause;
    return Boolean(clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((element) => element.isTypeOnly));
  }
  return false;
}

/** Map of each scanned file to the scanned files it imports at run time (with the line of the import). */
const graph = new Map();
for (const file of files) {
  const text = fs.readFileSync(file, "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, file.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const edges = new Map();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) && !ts.isExportDeclaration(statement)) continue;
    const specifier = statement.moduleSpecifier;
    if (!specifier || !ts.isStringLiteral(specifier) || (!includeTypes && isTypeOnly(statement))) continue;
    const resolved = ts.resolveModuleName(specifier.text, file, options, ts.sys, resolutionCache).resolvedModule;
    if (!resolved || resolved.isExternalLibraryImport) continue;
    const target = path.resolve(resolved.resolvedFileName);
    if (!inScope.has(target) || edges.has(target)) continue;
    edges.set(target, source.getLineAndCharacterOfPosition(statement.getStart(source)).line + 1);
  }
  graph.set(file, edges);
}

/** Tarjan's strongly connected components: every cycle lies inside one. */
function stronglyConnected() {
  let index = 0;
  const indices = new Map();
  const lowlink = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  const visit = (node) => {
    indices.set(node, index);
    lowlink.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node).keys()) {
      if (!indices.has(next)) {
        visit(next);
        lowlink.set(node, Math.min(lowlink.get(node), lowlink.get(next)));
      } else if (onStack.has(next)) {
        lowlink.set(node, Math.min(lowlink.get(node), indices.get(next)));
      }
    }
    if (lowlink.get(node) === indices.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      components.push(component);
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return components;
}

/** The shortest cycle through `start` that stays inside `component` (breadth-first search). */
function shortestCycle(start, component) {
  const previous = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const next of graph.get(node).keys()) {
      if (!component.has(next)) continue;
      if (next === start) {
        const cycle = [node];
        for (let at = previous.get(node); at !== null; at = previous.get(at)) cycle.unshift(at);
        return cycle;
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return null;
}

// One cycle per module in each component: the shortest through it, deduplicated up to rotation.
const cycles = [];
const seen = new Set();
for (const members of stronglyConnected()) {
  const component = new Set(members);
  if (members.length === 1 && !graph.get(members[0]).has(members[0])) continue;
  for (const start of [...members].sort()) {
    const cycle = shortestCycle(start, component);
    if (!cycle) continue;
    const first = cycle.indexOf([...cycle].sort()[0]);
    const canonical = [...cycle.slice(first), ...cycle.slice(0, first)];
    const key = canonical.join("\n");
    if (seen.has(key)) continue;
    seen.add(key);
    cycles.push(canonical);
  }
}
cycles.sort((a, b) => a.length - b.length || rel(a[0]).localeCompare(rel(b[0])));

const describe = (cycle) => [...cycle, cycle[0]].map((file, i, all) => (i < all.length - 1 ? `${rel(file)}:${graph.get(file).get(all[i + 1])}` : rel(file)));

if (process.argv.includes("--json")) {
  console.log(JSON.stringify(cycles.map(describe), null, 2));
} else if (cycles.length === 0) {
  console.log(`✔ no import cycles among ${files.length} modules in ${scanned.join("/, ")}/ (${ignoredNote})`);
} else {
  console.error(`✖ ${cycles.length} import cycle${cycles.length === 1 ? "" : "s"} among the modules in ${scanned.join("/, ")}/`);
  console.error(`  (each step is file:line of the import; ${ignoredNote})\n`);
  cycles.forEach((cycle, i) => console.error(`${String(i + 1).padStart(3)}. ${describe(cycle).join("\n     → ")}\n`));
}
process.exit(cycles.length === 0 ? 0 : 1);
