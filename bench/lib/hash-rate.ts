import { hash } from "@node-rs/argon2";

/**
 * Argon2id hashes per second at Gatehouse's parameters, `concurrency` at a
 * time in this process: the ceiling a password login cannot beat. Also the
 * CPU one hash costs (this process's CPU over the window, which is all hashing).
 */
export async function rawHashRate(concurrency: number, durationMs: number): Promise<{ perSecond: number; cpuMsPerHash: number }> {
  const options = { algorithm: 2, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1, outputLen: 32 } as const;
  await hash("warm-up", options);
  let done = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await hash("bench-password-0123", options);
        done += 1;
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  return {
    perSecond: Math.round((done * 10_000) / (performance.now() - started)) / 10,
    cpuMsPerHash: Math.round((cpu.user + cpu.system) / 10 / done) / 100,
  };
}
