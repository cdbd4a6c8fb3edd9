import { readFileSync, statSync, writeFileSync } from "node:fs";
import type { Postgres } from "./servers";

// The plans of what a page really runs: its statements are captured from
// PostgreSQL's log (log_statement = all) while the page loads once, then each
// read is run again under EXPLAIN (ANALYZE, BUFFERS) with the parameters it
// was sent. Only reads: EXPLAIN ANALYZE executes what it explains.

interface Logged {
  text: string;
  parameters: Map<number, string>;
}

function loggedStatements(log: string): Logged[] {
  // A new entry starts with the timestamp of log_line_prefix ('%m [%p] '); a statement may span lines.
  const entries = log.split(/\n(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)/);
  const statements: Logged[] = [];
  for (const entry of entries) {
    const statement = entry.match(/LOG:\s+(?:statement|execute [^:]*):\s+([\s\S]*)$/);
    if (statement) {
      statements.push({ text: statement[1]!.trim(), parameters: new Map() });
      continue;
    }
    const detail = entry.match(/DETAIL:\s+parameters:\s+([\s\S]*)$/);
    const last = statements.at(-1);
    if (detail && last) {
      for (const [, n, value] of detail[1]!.matchAll(/\$(\d+) = ('(?:[^']|'')*'|NULL)/g)) last.parameters.set(Number(n), value!);
    }
  }
  return statements;
}

function isRead(sql: string): boolean {
  return /^\s*(SELECT|WITH)\b/i.test(sql) && !/\b(INSERT|UPDATE|DELETE)\b/i.test(sql) && !/pg_reload_conf|ALTER SYSTEM/i.test(sql);
}

function inline({ text, parameters }: Logged): string {
  // Highest first, so that $1 does not eat the start of $12.
  return [...parameters.keys()].sort((a, b) => b - a).reduce((sql, n) => sql.replaceAll(`$${n}`, parameters.get(n)!), text);
}

/** Loads each page once with statement logging on; writes its reads' plans to `<file>`; returns the sequential scans found, by page. */
export async function explainPages(pg: Postgres, database: string, pages: Array<{ name: string; file: string; load: () => Promise<void> }>) {
  const seqScans: Record<string, string[]> = {};
  for (const page of pages) {
    pg.sql("postgres", "ALTER SYSTEM SET log_statement = 'all'");
    pg.sql("postgres", "SELECT pg_reload_conf()");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const offset = statSync(pg.logFile).size;
    await page.load();
    await new Promise((resolve) => setTimeout(resolve, 300));
    pg.sql("postgres", "ALTER SYSTEM RESET log_statement");
    pg.sql("postgres", "SELECT pg_reload_conf()");
    const reads = loggedStatements(readFileSync(pg.logFile).subarray(offset).toString()).filter((s) => isRead(s.text));
    const sections: string[] = [];
    seqScans[page.name] = [];
    for (const [index, statement] of reads.entries()) {
      const sql = inline(statement);
      let plan: string;
      try {
        plan = pg.sql(database, `EXPLAIN (ANALYZE, BUFFERS) ${sql}`).trim();
      } catch (error) {
        plan = `(EXPLAIN failed: ${error instanceof Error ? error.message.split("\n").slice(0, 3).join(" ") : String(error)})`;
      }
      for (const [, table] of plan.matchAll(/Seq Scan on "?(\w+)"?/g)) seqScans[page.name]!.push(table!);
      sections.push(`-- ${index + 1}. as the page sent it${statement.parameters.size ? " (parameters inlined)" : ""}\n${sql}\n\n${plan}\n`);
    }
    const header = [
      `-- ${page.name}, loaded once by the big org's admin: every read it made, under EXPLAIN (ANALYZE, BUFFERS).`,
      `-- Captured ${new Date().toISOString()} from PostgreSQL's log (log_statement = all) by npm run bench -- --full.`,
      `-- Sequential scans: ${seqScans[page.name]!.length ? seqScans[page.name]!.join(", ") : "none"}.`,
      "",
    ];
    writeFileSync(page.file, [...header, ...sections].join("\n"));
  }
  return seqScans;
}
