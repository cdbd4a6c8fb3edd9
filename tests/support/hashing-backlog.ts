import { availableParallelism } from "node:os";
import { hashLaneOf, type AdmissionClaim } from "@/lib/auth/login/admission";
import { hashLane } from "@/lib/auth/passwords/hash-pool";
import { hashPassword } from "@/lib/auth/passwords/password";

/**
 * Every hashing thread busy with more waiting, in the lanes of the given claims: hashing serves each lane in turn,
 * so a check waits behind a backlog only in its own lane (lib/auth/passwords/hash-pool.ts). Keeps those checks in
 * progress long enough for a test to act meanwhile.
 */
export function hashingBacklog(...claims: AdmissionClaim[]): Promise<unknown>[] {
  const lanes = [...new Set(claims.map(hashLaneOf))];
  return lanes.flatMap((lane) =>
    Array.from({ length: availableParallelism() * 150 }, (_, i) => hashLane.run(lane, () => hashPassword(`backlog password ${lane} ${i}`))),
  );
}
