// The soak's table at the end (the same figures are in soak/results/latest.json).

function table(title, header, rows) {
  if (rows.length === 0) return;
  const widths = header.map((h, i) => Math.max(String(h).length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join("  ");
  console.log(`\n${title}\n${line(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}`);
  for (const row of rows) console.log(line(row));
}

export function printReport(summary) {
  console.log(`\n=== Gatehouse soak ${summary.runId}: ${summary.loadSeconds} s of load, ${summary.browsers} people, mail by ${summary.mailWorkers}`);
  table(
    "Flows",
    ["flow", "ok", "failed", "first errors"],
    Object.entries(summary.flows).map(([name, v]) => [name, v.ok, v.failed, Object.keys(v.errors).slice(0, 2).join(" | ").slice(0, 100)]),
  );
  table(
    "Requests by phase and status",
    ["phase", "statuses"],
    Object.entries(summary.requests.byPhase).map(([phase, statuses]) => [
      phase,
      Object.entries(statuses)
        .map(([status, n]) => `${status}: ${n}`)
        .join(", "),
    ]),
  );
  table(
    "Requests by instance (at the proxy)",
    ["instance", "requests", "5xx"],
    Object.entries(summary.requests.byInstance).map(([name, v]) => [name, v.requests, v.serverErrors]),
  );
  table(
    "Faults",
    ["fault", "recovered in"],
    summary.faults.map((f) => [f.name, f.recoverySeconds === null ? "never" : `${f.recoverySeconds.toFixed(1)} s`]),
  );
  const e = summary.email;
  const seconds = (v) => (v === null ? "n/a" : `${v.toFixed(1)} s`);
  table(
    "Email",
    ["queued", "sent", "retried", "duplicated", "lost", "SMTP 4xx / dropped", "max lag", "p99 lag", "drained after SMTP returned"],
    [
      [
        e.queued,
        e.sent,
        e.retried,
        e.duplicated,
        e.lost,
        `${e.smtp.transient} / ${e.smtp.dropped}`,
        seconds(e.maxLagSeconds),
        seconds(e.p99LagSeconds),
        seconds(e.drainAfterOutageSeconds),
      ],
    ],
  );
  const st = summary.settingsSaves;
  table("Concurrent Session Settings saves", ["saved", "refused as stale", "answer lost", "audit rows"], [[st.saved, st.refusedStale, st.lost, st.auditRows]]);
  if (summary.failures.length) {
    console.log(`\n✖ ${summary.failures.length} invariant(s) broken:`);
    for (const failure of summary.failures) console.log(`  - ${failure}`);
  } else {
    console.log("\n✔ every invariant held");
  }
}
