import { describe, expect, it, vi } from "vitest";
import { sweepOccasionally } from "@/lib/db/sweep";

describe("sweepOccasionally", () => {
  it("sweeps a table at most once a minute per process", async () => {
    const sweep = vi.fn(async () => undefined);
    const t0 = 1_000_000_000;
    await sweepOccasionally("UnitTestTable", sweep, t0);
    await sweepOccasionally("UnitTestTable", sweep, t0 + 59_000);
    expect(sweep).toHaveBeenCalledTimes(1);
    await sweepOccasionally("UnitTestTable", sweep, t0 + 60_000);
    expect(sweep).toHaveBeenCalledTimes(2);
  });
});
