import type { ScenarioRun } from "../lib/report";

export interface PeerOptions {
  root: string;
  port: number;
  databaseUrl: string;
  levels: number[];
  seconds: number;
  log: (message: string) => void;
}

export async function runPeer(_options: PeerOptions): Promise<{ scenarios: ScenarioRun[] }> {
  throw new Error("the Better Auth peer is not set up yet");
}
