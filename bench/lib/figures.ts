import { round, type LoadResult } from "./load";
import type { BenchReport } from "./report";

// The ratios to the peers (issue #29's targets), from the scenarios of one run:
// Better Auth in Next.js is the fair peer, bare Better Auth the reference.

export function cpuText(result: LoadResult | undefined): string {
  const cpu = result?.cpu;
  if (!cpu) return "not measured";
  return cpu.db === null ? `${cpu.total} (database in the server)` : `${cpu.total} (server ${cpu.server} + PostgreSQL ${cpu.db})`;
}

export function addPeerFigures(report: BenchReport, levels: number[]): void {
  const result = (app: string, name: string, c: number) =>
    report.scenarios.find((s) => s.app === app && s.scenario.startsWith(name))?.results.find((r) => r.concurrency === c);
  const perSecond = (app: string, name: string, c: number) => result(app, name, c)?.perSecond ?? NaN;
  const c8 = Math.min(8, Math.max(...levels));
  const ratioFigure = (figure: string, a: number, b: number, unit: string, target: string, met: (ratio: number) => boolean | null) => {
    const ratio = round(a / b, 2);
    report.figures.push({ figure, value: `${ratio} (${a} vs ${b}${unit})`, target, met: Number.isFinite(ratio) ? met(ratio) : null });
  };

  const ours = result("gatehouse", "key step", c8)?.cpu?.total ?? NaN;
  const next = result("better-auth-next", "key step", c8)?.cpu?.total ?? NaN;
  ratioFigure(`key step CPU ms per login (server + database) ÷ Better Auth in Next.js, c=${c8}`, ours, next, " ms", "≤ 0.7", (r) => r <= 0.7);
  for (const c of levels.filter((level) => level === c8 || level >= 32)) {
    const a = perSecond("gatehouse", "key step", c);
    ratioFigure(`key step logins/s ÷ Better Auth in Next.js, c=${c}`, a, perSecond("better-auth-next", "key step", c), "/s", "≥ 1.3", (r) => r >= 1.3);
  }
  ratioFigure(
    `key step logins/s ÷ bare Better Auth, c=${c8}`,
    perSecond("gatehouse", "key step", c8),
    perSecond("better-auth", "key step", c8),
    "/s",
    "≥ 1.0 (reference)",
    () => null,
  );
  const bareCpu = result("better-auth", "key step", c8)?.cpu?.total ?? NaN;
  ratioFigure(`key step CPU ms per login ÷ bare Better Auth, c=${c8}`, ours, bareCpu, " ms", "– (reference)", () => null);
  ratioFigure(
    `full key login ÷ Better Auth in Next.js, c=${c8}`,
    perSecond("gatehouse", "full key login", c8),
    perSecond("better-auth-next", "full key login", c8),
    "/s",
    "≥ 3",
    (r) => r >= 3,
  );
  report.meta.note +=
    " Better Auth (1.7, passkey plugin) runs with its defaults except rateLimit { enabled: false }, mounted in Next.js 16" +
    " (bench/peer-next, next build + next start: the fair peer) and bare on node:http (bench/peer: the reference).";
}
