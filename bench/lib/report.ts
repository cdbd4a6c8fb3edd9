import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { LoadResult } from "./load";

// Results as JSON (everything), Markdown (the tables README carries) and an
// SVG chart: per scenario, throughput bars by concurrency, p50 and p99 marked.

export interface ScenarioRun {
  scenario: string;
  app: string;
  results: LoadResult[];
}

export interface Figure {
  figure: string;
  value: string;
  target: string;
  /** null: informational, or not measured in this mode. */
  met: boolean | null;
}

export interface BenchReport {
  meta: {
    date: string;
    mode: string;
    database: string;
    machine: string;
    node: string;
    note: string;
    /** Per peer: seconds it took in this run, and of them installing and building it (0: reused). */
    peers?: Record<string, { seconds: number; buildSeconds: number }>;
  };
  scenarios: ScenarioRun[];
  figures: Figure[];
}

export function machineDescription(): string {
  const cpus = os.cpus();
  return `${cpus.length} vCPU (${cpus[0]?.model.trim() ?? "unknown"}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.type()} ${os.release()}`;
}

export function markdown(report: BenchReport): string {
  const lines = [
    `Bench run ${report.meta.date} — mode ${report.meta.mode}, database ${report.meta.database}, ${report.meta.machine}, Node ${report.meta.node}.`,
    report.meta.note ? `\n${report.meta.note}` : "",
    "",
    "| figure | measured | target | met |",
    "|---|---|---|---|",
    ...report.figures.map((f) => `| ${f.figure} | ${f.value} | ${f.target} | ${f.met === null ? "–" : f.met ? "yes" : "**no**"} |`),
    "",
    "CPU is ms per completed login: the app's process tree (server) and the PostgreSQL backends serving clients, read from /proc around each window.",
    "",
    "| scenario | app | c | per second | p50 ms | p99 ms | CPU ms/login | server | PostgreSQL | ok | errors |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    ...report.scenarios.flatMap((s) =>
      s.results.map(
        (r) =>
          `| ${s.scenario} | ${s.app} | ${r.concurrency} | ${r.perSecond} | ${r.p50} | ${r.p99} | ${cpuCells(r)} | ${r.ok} | ${r.errors}${r.firstError ? ` (${r.firstError.slice(0, 60)})` : ""} |`,
      ),
    ),
    "",
  ];
  return lines.join("\n");
}

function cpuCells(r: LoadResult): string {
  if (!r.cpu) return "– | – | –";
  return `${r.cpu.total} | ${r.cpu.server} | ${r.cpu.db ?? "in server"}`;
}

const COLORS = ["#2563eb", "#f59e0b", "#10b981", "#ef4444"];

export function svgChart(report: BenchReport): string {
  const names = [...new Set(report.scenarios.map((s) => s.scenario))];
  const apps = [...new Set(report.scenarios.map((s) => s.app))];
  const panelWidth = 330;
  const panelHeight = 220;
  const width = Math.max(1, names.length) * panelWidth + 20;
  const height = panelHeight + 100;
  const parts: string[] = [];
  names.forEach((name, index) => {
    const x0 = 20 + index * panelWidth;
    const runs = report.scenarios.filter((s) => s.scenario === name);
    const levels = [...new Set(runs.flatMap((r) => r.results.map((x) => x.concurrency)))].sort((a, b) => a - b);
    const max = Math.max(1, ...runs.flatMap((r) => r.results.map((x) => x.perSecond)));
    const groupWidth = (panelWidth - 60) / Math.max(1, levels.length);
    const barWidth = Math.min(40, (groupWidth - 10) / Math.max(1, apps.length));
    // Long names wrap at their parenthesis: "key step" over "(verified password → session)".
    const [title, subtitle] = name.split(/ (?=\()/);
    parts.push(`<text x="${x0}" y="18" font-size="13" font-weight="600">${escape(title ?? name)}</text>`);
    if (subtitle) parts.push(`<text x="${x0}" y="34" font-size="11" fill="#555">${escape(subtitle)}</text>`);
    parts.push(`<line x1="${x0}" y1="${panelHeight + 30}" x2="${x0 + panelWidth - 40}" y2="${panelHeight + 30}" stroke="#999"/>`);
    levels.forEach((level, li) => {
      const gx = x0 + 10 + li * groupWidth;
      parts.push(`<text x="${gx + groupWidth / 2 - 10}" y="${panelHeight + 46}" font-size="11">c=${level}</text>`);
      runs.forEach((run) => {
        const r = run.results.find((x) => x.concurrency === level);
        if (!r) return;
        const ai = apps.indexOf(run.app);
        const h = ((panelHeight - 40) * r.perSecond) / max;
        const bx = gx + ai * barWidth;
        const by = panelHeight + 30 - h;
        parts.push(`<rect x="${bx}" y="${by}" width="${barWidth - 4}" height="${h}" fill="${COLORS[ai % COLORS.length]}"/>`);
        parts.push(`<text x="${bx}" y="${by - 16}" font-size="10">${r.perSecond}/s</text>`);
        parts.push(`<text x="${bx}" y="${by - 4}" font-size="9" fill="#555">${Math.round(r.p50)}|${Math.round(r.p99)}ms</text>`);
      });
    });
  });
  apps.forEach((app, ai) => {
    parts.push(`<rect x="${20 + ai * 160}" y="${height - 24}" width="12" height="12" fill="${COLORS[ai % COLORS.length]}"/>`);
    parts.push(`<text x="${36 + ai * 160}" y="${height - 14}" font-size="12">${escape(app)}</text>`);
  });
  parts.push(`<text x="${20 + apps.length * 160}" y="${height - 14}" font-size="11" fill="#555">bars: completed per second; labels: p50|p99 latency</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="system-ui, sans-serif"><rect width="100%" height="100%" fill="#fff"/>${parts.join("")}</svg>\n`;
}

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

export function writeReport(dir: string, report: BenchReport): string[] {
  mkdirSync(dir, { recursive: true });
  const files = { "results.json": JSON.stringify(report, null, 2) + "\n", "results.md": markdown(report), "results.svg": svgChart(report) };
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return Object.keys(files).map((name) => path.join(dir, name));
}
