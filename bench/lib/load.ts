// Bounded-duration load: `concurrency` workers each loop one scenario until
// the deadline; every finished iteration's latency is kept. Throughput is
// finished iterations over the time until the last worker stopped.

export interface CpuPerLogin {
  /** Server process tree (and, on PGlite, the database inside it), ms per completed login. */
  server: number;
  /** The PostgreSQL cluster's processes, ms per completed login; null when the database runs in the server. */
  db: number | null;
  total: number;
  /** The bench's own process (the load generator), for reference. */
  client: number;
}

export interface LoadResult {
  concurrency: number;
  durationMs: number;
  ok: number;
  errors: number;
  firstError?: string;
  perSecond: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  /** CPU per completed login, when the window was measured (lib/cpu.ts). */
  cpu?: CpuPerLogin;
}

export type Iteration = (worker: number, iteration: number) => Promise<void>;

export async function runLoad(concurrency: number, durationMs: number, iteration: Iteration): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; performance.now() < deadline; i += 1) {
        const t0 = performance.now();
        try {
          await iteration(worker, i);
          latencies.push(performance.now() - t0);
        } catch (error) {
          errors += 1;
          firstError ??= error instanceof Error ? error.message : String(error);
          // A failing scenario must not spin: back off a little.
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    }),
  );
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const pick = (q: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! : NaN);
  return {
    concurrency,
    durationMs: Math.round(elapsed),
    ok: latencies.length,
    errors,
    firstError,
    perSecond: round((latencies.length * 1000) / elapsed),
    p50: round(pick(0.5)),
    p90: round(pick(0.9)),
    p99: round(pick(0.99)),
    mean: round(latencies.reduce((a, b) => a + b, 0) / (latencies.length || 1)),
  };
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * One request at a time, alternating between the variants (A, B, A, B, …) so
 * that a drift in the machine (JIT warming up, a GC, autovacuum) lands on
 * every variant alike; p50 and p90 per variant, in milliseconds.
 */
export async function timeInterleaved<K extends string>(
  count: number,
  warmup: number,
  variants: Record<K, () => Promise<void>>,
): Promise<Record<K, { p50: number; p90: number }>> {
  const entries = Object.entries(variants) as Array<[K, () => Promise<void>]>;
  for (let i = 0; i < warmup; i += 1) for (const [, work] of entries) await work();
  const times = new Map<K, number[]>(entries.map(([name]) => [name, []]));
  for (let i = 0; i < count; i += 1) {
    for (const [name, work] of entries) {
      const t0 = performance.now();
      await work();
      times.get(name)!.push(performance.now() - t0);
    }
  }
  const result = {} as Record<K, { p50: number; p90: number }>;
  for (const [name, list] of times) {
    list.sort((a, b) => a - b);
    result[name] = { p50: round(list[Math.floor(list.length / 2)]!), p90: round(list[Math.floor(list.length * 0.9)]!) };
  }
  return result;
}
