// The soak's verdict: what must hold after load and faults, from the
// database, the SMTP server's records and the soak's own ledger.
import { SUBJECTS } from "./flows.mjs";
import { FAULT_GRACE_MS } from "./records.mjs";

const percentile = (values, p) => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

const iso = (at) => (at ? new Date(at).toISOString() : "never");

function subjectKey(subject) {
  return Object.entries(SUBJECTS).find(([, pattern]) => pattern.test(subject))?.[0];
}

export async function checkInvariants({ s, smtp, ledger, requests, faults, healthy, sql }) {
  const failures = [...s.violations];
  const rows = await sql(
    `SELECT id, "to", template, subject, state, attempts, "createdAt", "sentAt", "nextAttemptAt", "lastError" FROM "EmailMessage" ORDER BY "createdAt"`,
  );
  const byMessageId = new Map(rows.map((row) => [`<${row.id}@localhost>`, row]));

  // Nothing queued is lost: every row was sent, and reached the SMTP server at least once.
  const notSent = rows.filter((row) => row.state !== "SENT");
  if (notSent.length) {
    // Each named, so a failure explains itself: which email, how far it got, when it was next due and why.
    const described = notSent
      .slice(0, 5)
      .map(
        (r) =>
          `${r.template} to ${r.to}: ${r.state} after ${r.attempts} attempt(s), queued ${iso(r.createdAt)}, next due ${iso(r.nextAttemptAt)}${r.lastError ? `, last error: ${r.lastError}` : ""}`,
      );
    failures.push(
      `${notSent.length} outbox messages were not delivered (states: ${[...new Set(notSent.map((r) => r.state))].join(", ")}): ${described.join("; ")}`,
    );
  }
  const neverArrived = rows.filter((row) => row.state === "SENT" && !smtp.delivered.has(`<${row.id}@localhost>`));
  if (neverArrived.length) failures.push(`${neverArrived.length} messages marked sent never reached the SMTP server`);
  const phantom = [...smtp.delivered.keys()].filter((id) => !byMessageId.has(id));
  if (phantom.length) failures.push(`${phantom.length} messages reached the SMTP server with no outbox row behind them`);

  // Duplicates share their Message-ID and are explained only by a crash between send and commit (a fault window).
  const crashes = faults.filter((f) => !f.smtp);
  const duplicates = [...smtp.delivered].filter(([, deliveries]) => deliveries.length > 1);
  const unexplained = duplicates.filter(
    ([, deliveries]) => !crashes.some((f) => deliveries[0].at >= f.start - FAULT_GRACE_MS && deliveries[0].at <= (f.end ?? Date.now()) + FAULT_GRACE_MS),
  );
  if (unexplained.length) failures.push(`${unexplained.length} messages were delivered more than once outside any crash window`);

  // Every committed change that should email has exactly one outbox row.
  const actual = new Map();
  for (const row of rows) {
    const key = subjectKey(row.subject);
    if (key) actual.set(`${row.to}|${key}`, (actual.get(`${row.to}|${key}`) ?? 0) + 1);
  }
  const mismatches = [];
  for (const key of new Set([...ledger.entries.keys(), ...actual.keys()])) {
    const expected = ledger.entries.get(key) ?? { sure: 0, maybe: 0 };
    const count = actual.get(key) ?? 0;
    if (count < expected.sure || count > expected.sure + expected.maybe)
      mismatches.push(`${key}: ${count} rows for ${expected.sure} changes (+${expected.maybe} unknown)`);
  }
  if (mismatches.length) failures.push(`outbox rows do not match the changes that should email: ${mismatches.slice(0, 5).join("; ")}`);

  // No 5xx outside the fault windows.
  const unexpected = [...requests.unexpected].map(([key, n]) => `${key} ×${n}`);
  if (unexpected.length) failures.push(`server errors outside fault windows: ${unexpected.join(", ")}`);

  // Concurrent Session Settings saves: one audit row per changed field of each save that succeeded.
  const [{ audited }] = await sql(`SELECT count(*)::int AS audited FROM "AuditEvent" WHERE action = 'Changed session settings'`);
  const expectedAudit = s.settings.changedFields;
  if (audited < expectedAudit || audited > expectedAudit + 2 * s.settings.lost) {
    failures.push(`${audited} Session Settings audit rows for ${expectedAudit} changed fields (+${s.settings.lost} saves with a lost answer)`);
  }

  if (!healthy.every(Boolean)) failures.push(`unhealthy at the end: ${healthy.map((h, i) => `instance ${i + 1} ${h ? "ok" : "DOWN"}`).join(", ")}`);

  const lags = rows.filter((r) => r.sentAt).map((r) => new Date(r.sentAt) - new Date(r.createdAt));
  const outage = faults.find((f) => f.smtp);
  let drainSeconds = null;
  if (outage?.end) {
    const backlog = rows.filter((r) => new Date(r.createdAt).getTime() <= outage.end && r.sentAt);
    const last = Math.max(outage.end, ...backlog.map((r) => new Date(r.sentAt).getTime()));
    drainSeconds = (last - outage.end) / 1000;
  }
  const retried = rows.filter((r) => r.attempts > 1).length;

  return {
    failures,
    email: {
      queued: rows.length,
      sent: rows.filter((r) => r.state === "SENT").length,
      retried,
      duplicated: duplicates.length,
      lost: notSent.length + neverArrived.length,
      smtp: smtp.stats,
      maxLagSeconds: lags.length ? Math.max(...lags) / 1000 : null,
      p99LagSeconds: lags.length ? percentile(lags, 99) / 1000 : null,
      drainAfterOutageSeconds: drainSeconds,
    },
    settingsSaves: { ...s.settings, auditRows: audited },
    requests: {
      byFlow: Object.fromEntries(requests.byFlow),
      byPhase: Object.fromEntries([...requests.byPhase].map(([phase, statuses]) => [phase, Object.fromEntries(statuses)])),
      byInstance: Object.fromEntries(requests.instances),
    },
  };
}
