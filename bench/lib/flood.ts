import { GatehouseClient, passwordLogin } from "./gatehouse";
import { round, runLoad, type LoadResult } from "./load";
import type { Figure } from "./report";

// One org's password-login flood, and another org's user logging in meanwhile
// (issue #24's fairness, measured as a ratio). The attacker is the realistic
// one: many addresses (a botnet; here X-Forwarded-For on a server that trusts
// one proxy hop), wrong passwords, a different username of the org each time,
// so neither the per-IP nor the per-username shares or rate limits stop it and
// only the per-org share (PASSWORD_CHECKS_PER_ORG, default 16) stands between
// its flood and the other org. An answer of 503 (turned away) or 429 is the
// attacker's cue to send the next request at once.

/** The server settings the flood runs under: the production defaults for admission, one trusted proxy hop. */
export function floodServerEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, TRUSTED_PROXIES: "1" };
  for (const name of [
    "PASSWORD_CHECKS_PER_IP",
    "PASSWORD_CHECKS_PER_IPV6_48",
    "PASSWORD_CHECKS_PER_ORG",
    "PASSWORD_CHECKS_PER_ACCOUNT",
    "PASSWORD_LOGIN_SUCCESSES_PER_IP",
  ]) {
    delete out[name];
  }
  return out;
}

export interface FloodRun {
  alone: LoadResult;
  during: LoadResult;
  concurrency: number;
  /** The flood's requests by HTTP status (or "network" for a request that failed). */
  statuses: Record<string, number>;
}

/** 10.0.0.1, 10.0.0.2, …: one address per flood request. */
const floodAddress = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

export async function crossOrgFlood(options: {
  origin: string;
  /** The flooded org's usernames (org A). */
  floodUsernames: string[];
  /** The other org's password-only users (org B), each logging in from an address of their own. */
  victims: string[];
  password: string;
  concurrency: number;
  seconds: number;
}): Promise<FloodRun> {
  const { origin, floodUsernames, victims, password, concurrency } = options;
  const ms = options.seconds * 1000;
  const victimLogin = async (_worker: number, i: number) => {
    const index = i % victims.length;
    const client = new GatehouseClient(origin);
    client.headers["x-forwarded-for"] = `192.0.2.${1 + (index % 250)}`;
    await passwordLogin(client, victims[index]!, password);
  };

  await runLoad(1, Math.min(ms, 1500), victimLogin); // warm-up: the hash threads start, the route is compiled and cached
  const alone = await runLoad(1, ms, victimLogin);

  const statuses: Record<string, number> = {};
  let sent = 0;
  let stop = false;
  const attacker = async () => {
    while (!stop) {
      sent += 1;
      const n = sent;
      const client = new GatehouseClient(origin);
      client.headers["x-forwarded-for"] = floodAddress(n);
      const status = await client
        .json("/api/login", { username: floodUsernames[n % floodUsernames.length]!, password: `wrong-${n}` })
        .then((answer) => String(answer.status))
        .catch(() => "network");
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  const flood = Array.from({ length: concurrency }, attacker);
  // The flood fills its share first; then the other org's user is timed for as long as alone.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const during = await runLoad(1, ms, victimLogin);
  stop = true;
  await Promise.all(flood);
  return { alone, during, concurrency, statuses };
}

export function floodFigure(run: FloodRun): Figure {
  const ratio = round(run.during.p50 / run.alone.p50, 2);
  const statuses = Object.entries(run.statuses)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, count]) => `${status} ×${count}`)
    .join(", ");
  const errors = run.alone.errors + run.during.errors;
  const failed = errors ? `; the other org's logins failed ${errors}× (${run.during.firstError ?? run.alone.firstError})` : "";
  return {
    figure: `another org's password-login p50 during one org's flood (c=${run.concurrency}, wrong passwords) ÷ unloaded`,
    value: `${ratio} (${run.alone.p50} → ${run.during.p50} ms; the flood's answers: ${statuses}${failed})`,
    target: "≤ 2",
    met: Number.isFinite(ratio) && errors === 0 ? ratio <= 2 : false,
  };
}
