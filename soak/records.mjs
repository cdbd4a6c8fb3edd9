// What the soak counts while it runs: requests by flow and phase, and the
// ledger of changes that should each have produced exactly one email.

/** Requests still answering inside this long after a fault's recovery count as part of it. */
export const FAULT_GRACE_MS = 15_000;

export function phaseAt(time, faults) {
  // The latest fault whose window (plus grace) covers the time.
  const fault = faults.findLast((f) => time >= f.start && time <= (f.end ?? Infinity) + FAULT_GRACE_MS);
  return fault ? fault.name : "normal";
}

export class RequestLog {
  /** flow → count */
  byFlow = new Map();
  /** phase → status → count */
  byPhase = new Map();
  /** instance → { requests, errors } as the proxy saw them */
  instances = new Map();
  /** Server errors outside any fault window: "METHOD path status" → count */
  unexpected = new Map();

  record(flow, entry, faults) {
    this.byFlow.set(flow, (this.byFlow.get(flow) ?? 0) + 1);
    const phase = phaseAt(Date.now(), faults);
    const statuses = this.byPhase.get(phase) ?? new Map();
    const status = entry.status === 0 ? `no answer (${entry.error})` : String(entry.status);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    this.byPhase.set(phase, statuses);
    if (phase === "normal" && (entry.status === 0 || entry.status >= 500)) {
      const key = `${entry.method} ${entry.path} ${status}`;
      this.unexpected.set(key, (this.unexpected.get(key) ?? 0) + 1);
    }
  }

  byInstance({ instance, status }) {
    const entry = this.instances.get(instance) ?? { requests: 0, serverErrors: 0 };
    entry.requests++;
    if (status >= 500) entry.serverErrors++;
    this.instances.set(instance, entry);
  }
}

export class Ledger {
  /** "to|subjectKey" → { sure, maybe } */
  entries = new Map();

  /** certainty: "sure" (the change answered ok), "maybe" (its answer was lost to a fault), "none" (refused: no email). */
  expect(to, subjectKey, certainty) {
    if (certainty === "none") return;
    const key = `${to}|${subjectKey}`;
    const entry = this.entries.get(key) ?? { sure: 0, maybe: 0 };
    entry[certainty]++;
    this.entries.set(key, entry);
  }
}
