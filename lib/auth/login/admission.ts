import "server-only";
import { availableParallelism } from "node:os";
import { env } from "../../env";
import { ServiceBusyError } from "../../errors";
import { rateLimitAddress } from "../../http/request-info";
import { hashLane } from "../passwords/hash-pool";

// Fair admission for password checks (hashing is the scarce resource). Before
// the instance-wide gate (PASSWORD_LOGIN_LIMIT), each client gets a bounded
// share of it, in this process: per IP (IPv6 per /64), per IPv6 /48, per
// account and per org. So one org's flood, or one client's, fills its own
// share and is answered 503, while every other org's logins pass. A browser
// the user activated before (a valid device cookie) skips those shares and has
// slots of its own above the gate: a flood aimed at a user or an org does not
// shut out that user's own browser (DESIGN.md section 9). Every password check
// is admitted here: login, re-authentication, set-password, change-password.

/** What a password check is admitted as. `orgId` is known once the username has been looked up. */
export interface AdmissionClaim {
  ip: string | null;
  account: string;
  orgId?: string | null;
  knownDevice?: boolean;
}

const inFlight = new Map<string, number>();

/** Slots above PASSWORD_LOGIN_LIMIT that only a known browser may take. */
export const KNOWN_DEVICE_RESERVE = 8;

function shares(claim: AdmissionClaim): [string, number][] {
  const limits = env();
  const out: [string, number][] = [[`account:${claim.account.toLowerCase()}`, limits.PASSWORD_CHECKS_PER_ACCOUNT]];
  if (claim.ip) {
    out.push([`ip:${rateLimitAddress(claim.ip)}`, limits.PASSWORD_CHECKS_PER_IP]);
    if (claim.ip.includes(":")) out.push([`ip48:${ipv6Prefix48(claim.ip)}`, limits.PASSWORD_CHECKS_PER_IPV6_48]);
  }
  if (claim.orgId) out.push([`org:${claim.orgId}`, limits.PASSWORD_CHECKS_PER_ORG]);
  return out;
}

/** The /48 of an IPv6 address, from its /64 (rateLimitAddress expands "::"). */
function ipv6Prefix48(ip: string): string {
  return rateLimitAddress(ip).split(":").slice(0, 3).join(":");
}

let total = 0;

/**
 * Password checks one instance admits at once (looking up, counting, waiting
 * for a hashing thread or hashing), before the next is answered 503:
 * PASSWORD_LOGIN_LIMIT, default 64 per core, under a second of hashing at full
 * speed. The hashing threads run at the lowest priority, so a server whose
 * cores are all busy otherwise hashes next to nothing, and an unbounded queue
 * would only make every check slower.
 */
export const passwordCheckGate = () => env().PASSWORD_LOGIN_LIMIT ?? 64 * availableParallelism();

/**
 * The hashing lane a check waits in (hash-pool.ts serves lanes in turn): its org's, so one org's flood queues behind
 * itself. A known browser has a lane of its own, as it has slots of its own; a username no org has shares one lane.
 */
export function hashLaneOf(claim: AdmissionClaim): string {
  if (claim.knownDevice) return `device:${claim.account.toLowerCase()}`;
  return claim.orgId ? `org:${claim.orgId}` : "no-org";
}

/** Runs `check` (which hashes a password) holding an admitted slot, in its hashing lane, or throws ServiceBusyError before it starts. */
export async function withPasswordCheck<T>(claim: AdmissionClaim, check: () => Promise<T>): Promise<T> {
  const release = admitPasswordCheck(claim, passwordCheckGate());
  try {
    return await hashLane.run(hashLaneOf(claim), check);
  } finally {
    release();
  }
}

/**
 * Takes a slot for one password check, or throws ServiceBusyError (503) when
 * the client's share or the instance is full. Synchronous: nothing is awaited
 * between the check and the take. Returns the release, to call exactly once.
 */
export function admitPasswordCheck(claim: AdmissionClaim, gate: number): () => void {
  const keys = claim.knownDevice ? [] : shares(claim);
  const ceiling = claim.knownDevice ? gate + KNOWN_DEVICE_RESERVE : gate;
  if (total >= ceiling || keys.some(([key, limit]) => (inFlight.get(key) ?? 0) >= limit)) throw new ServiceBusyError();
  total += 1;
  for (const [key] of keys) inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    total -= 1;
    for (const [key] of keys) {
      const left = (inFlight.get(key) ?? 1) - 1;
      if (left > 0) inFlight.set(key, left);
      else inFlight.delete(key);
    }
  };
}

/** Password checks admitted and not yet released in this process (tests, and the 503 gate's own count). */
export function passwordChecksInFlight(): number {
  return total;
}
