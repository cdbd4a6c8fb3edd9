import crypto from "node:crypto";
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { stepUp } from "@/lib/auth/freshness";
import { db } from "@/lib/db/client";
import { UserFacingError } from "@/lib/errors";
import { flagPossibleClone } from "@/lib/webauthn/assertion";
import { finishKeyRegistration } from "@/lib/webauthn/registration";
import { createEndpoint, deleteEndpoint, pauseEndpoint, replayEndpoint, resumeEndpoint, rotateSecret } from "@/lib/webhooks/endpoints";
import { sendPing } from "@/lib/webhooks/ping";
import { postSigned } from "@/lib/webhooks/transport";
import { deliverDueWebhooks } from "@/lib/webhooks/worker";
import { useTestDatabase } from "../support/database";
import { rejectionOf } from "../support/db-state";
import { createOrg, createUser, signIn, TEST_REQUEST } from "../support/factories";
import { keyResponseFor, reauthenticate, setOrgSettings } from "../support/security-keys";
import { registering } from "../support/step-up";

useTestDatabase();

// Event Streams as a receiver sees them (DESIGN.md section 13): a real HTTP
// server on 127.0.0.1 (allowed outside production), every delivery checked
// with a verifier written here from the Standard Webhooks spec, not with the
// code under test.

interface Received {
  id: string;
  timestamp: string;
  signatures: string[];
  body: string;
  json: { id: string; seq: number; type: string; [k: string]: unknown };
}

type Answer = (request: Received, n: number) => { status: number; delayMs?: number; location?: string; hugeBody?: boolean };

const servers: net.Server[] = [];
afterEach(async () => {
  // Each test's endpoints go with it: the worker serves every org's, and the next test's receiver is another.
  await db().webhookEndpoint.deleteMany({});
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A receiver: answers as told, and keeps what it got. */
async function receiver(answer: Answer = () => ({ status: 200 })) {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const received: Received = {
        id: String(req.headers["webhook-id"]),
        timestamp: String(req.headers["webhook-timestamp"]),
        signatures: String(req.headers["webhook-signature"] ?? "").split(" "),
        body,
        json: JSON.parse(body) as Received["json"],
      };
      got.push(received);
      const a = answer(received, got.length);
      setTimeout(() => {
        if (a.hugeBody) {
          res.writeHead(a.status, { "content-type": "text/plain" });
          const chunk = Buffer.alloc(64 * 1024, 120);
          // Endless: stops only when the client goes away.
          const pump = () => {
            while (!res.destroyed && res.write(chunk));
            if (!res.destroyed) res.once("drain", pump);
          };
          res.on("error", () => undefined);
          pump();
          return;
        }
        res.writeHead(a.status, a.location ? { location: a.location } : {});
        res.end(a.status >= 400 ? "receiver error" : "ok");
      }, a.delayMs ?? 0);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, port, got };
}

/** Standard Webhooks verification, independently: HMAC-SHA256 keyed with the base64 part of whsec_, over id.timestamp.body. */
function verifies(secret: string, r: Received): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = crypto.createHmac("sha256", key).update(`${r.id}.${r.timestamp}.${r.body}`).digest();
  return r.signatures.some((s) => {
    const [version, value] = s.split(",");
    if (version !== "v1" || !value) return false;
    const given = Buffer.from(value, "base64");
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  });
}

/** A clock the test moves; every pass of the worker reads it. */
function clock(start = Date.now()) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

async function drain(c = clock(), passes = 30) {
  // Each pass 11 minutes after the last: past the longest backoff (10 minutes).
  for (let i = 0; i < passes; i++) {
    c.advance(11 * 60_000);
    const report = await deliverDueWebhooks({ now: c.now });
    if (report.claimed === 0) return;
  }
}

async function orgWithEndpoint(answer?: Answer, eventTypes: string[] = []) {
  const org = await createOrg("Streams");
  const rx = await receiver(answer);
  const { endpointId, secret } = await createEndpoint(await stepUp(org.admin), { url: rx.url, description: "SIEM", eventTypes: eventTypes as never });
  return { org, rx, endpointId, secret };
}

const lastSeq = async (orgId: string) => Number((await db().orgEventCounter.findUniqueOrThrow({ where: { orgId } })).lastSeq);
const endpointRow = (id: string) => db().webhookEndpoint.findUniqueOrThrow({ where: { id } });

describe("webhook delivery", () => {
  it("delivers every event once, in seq order, each signed per Standard Webhooks, starting with the endpoint's own creation", async () => {
    const { org, rx, endpointId, secret } = await orgWithEndpoint();
    const startSeq = Number((await endpointRow(endpointId)).deliveredSeq) - 0;
    await createUser(org.admin);
    await createUser(org.admin);
    await drain();
    const seqs = rx.got.map((r) => r.json.seq);
    const last = await lastSeq(org.orgId);
    // The endpoint starts from the org's seq before its creation event.
    expect(rx.got[0]!.json.type).toBe("webhook.endpoint.created");
    expect(seqs).toEqual(Array.from({ length: last - startSeq }, (_, i) => startSeq + 1 + i));
    for (const r of rx.got) {
      expect(verifies(secret, r)).toBe(true);
      expect(r.id).toBe(r.json.id);
      expect(Math.abs(Number(r.timestamp) - Date.now() / 1000)).toBeLessThan(3600);
    }
    // A wrong secret does not verify (the verifier can fail).
    expect(verifies(`whsec_${crypto.randomBytes(32).toString("base64")}`, rx.got[0]!)).toBe(false);
    expect(JSON.stringify(rx.got[0]!.json)).not.toContain(secret.slice(6));
    expect(Number((await endpointRow(endpointId)).deliveredSeq)).toBe(last);
  });

  it("a receiver answering 500 then 200: retried with backoff, nothing lost, order kept, only webhook-id repeats", async () => {
    const { org, rx, endpointId } = await orgWithEndpoint((_r, n) => ({ status: n <= 2 ? 500 : 200 }));
    await createUser(org.admin);
    const c = clock();
    await deliverDueWebhooks({ now: c.now });
    const failed = await endpointRow(endpointId);
    expect(failed).toMatchObject({ consecutiveFailures: 1, lastError: expect.stringContaining("500") });
    expect(failed.nextAttemptAt.getTime()).toBe(c.now().getTime() + 5_000);
    // Not due before its backoff ends.
    expect((await deliverDueWebhooks({ now: c.now })).claimed).toBe(0);
    await drain(c);
    const ids = rx.got.map((r) => r.id);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[1]).toBe(ids[2]);
    const distinct = [...new Set(ids)];
    const seqs = distinct.map((id) => rx.got.find((r) => r.id === id)!.json.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(seqs.at(-1)).toBe(await lastSeq(org.orgId));
    expect(seqs.length).toBe(seqs.at(-1)! - seqs[0]! + 1);
    expect(await endpointRow(endpointId)).toMatchObject({ consecutiveFailures: 0, failingSince: null, lastError: null });
  });

  it("two workers racing: each event once, none out of order", async () => {
    const { org, rx } = await orgWithEndpoint(() => ({ status: 200, delayMs: 5 }));
    for (let i = 0; i < 3; i++) await createUser(org.admin);
    for (let i = 0; i < 20; i++) {
      const [a, b] = await Promise.all([deliverDueWebhooks({ eventsPerClaim: 3 }), deliverDueWebhooks({ eventsPerClaim: 3 })]);
      if (a.claimed + b.claimed === 0) break;
    }
    const seqs = rx.got.map((r) => r.json.seq);
    expect(seqs.length).toBeGreaterThan(6);
    expect(seqs).toEqual([...new Set(seqs)].sort((x, y) => x - y));
    expect(seqs.at(-1)).toBe(await lastSeq(org.orgId));
  });

  it("a worker killed mid-delivery: its lease lapses and another takes over; the old worker's late write changes nothing", async () => {
    const { org, rx, endpointId } = await orgWithEndpoint((_r, n) => ({ status: 200, delayMs: n === 1 ? 1_500 : 0 }));
    await createUser(org.admin);
    const c = clock();
    // Worker A claims and is stuck on its first request; B, 61 s later by its clock, finds the lease lapsed.
    const a = deliverDueWebhooks({ now: () => new Date(c.now().getTime()) });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await deliverDueWebhooks({ now: () => new Date(c.now().getTime() + 30_000) })).claimed).toBe(0);
    const b = await deliverDueWebhooks({ now: () => new Date(c.now().getTime() + 61_000) });
    expect(b.claimed).toBe(1);
    const reportA = await a;
    expect(reportA.lostLeases).toBe(1);
    const seqs = rx.got.map((r) => r.json.seq);
    // The first event twice (same webhook-id), then the rest in order.
    expect(rx.got[0]!.id).toBe(rx.got[1]!.id);
    expect(seqs.slice(1)).toEqual([...seqs.slice(1)].sort((x, y) => x - y));
    expect(Number((await endpointRow(endpointId)).deliveredSeq)).toBe(await lastSeq(org.orgId));
  });

  it("pauses after 24 hours of failures with one email to each admin; resume continues where it stopped", async () => {
    let up = false;
    const { org, rx, endpointId, secret } = await orgWithEndpoint(() => ({ status: up ? 200 : 503 }));
    const c = clock();
    await deliverDueWebhooks({ now: c.now });
    const stuckAt = Number((await endpointRow(endpointId)).deliveredSeq);
    c.advance(23 * 60 * 60_000);
    await deliverDueWebhooks({ now: c.now });
    expect((await endpointRow(endpointId)).state).toBe("ACTIVE");
    c.advance(60 * 60_000 + 1_000);
    const report = await deliverDueWebhooks({ now: c.now });
    expect(report.paused).toBe(1);
    const paused = await endpointRow(endpointId);
    expect(paused).toMatchObject({ state: "PAUSED", consecutiveFailures: 3, pausedReason: expect.stringContaining("24 hours") });
    const mails = await db().emailMessage.findMany({ where: { orgId: org.orgId, template: "webhook-endpoint-paused" } });
    expect(mails.map((m) => m.to)).toEqual([org.adminUsername]);
    expect(await db().securityEvent.count({ where: { orgId: org.orgId, type: "webhook.endpoint.paused", actorKind: "system" } })).toBe(1);
    // Paused: not claimed, however long we wait.
    c.advance(60 * 60_000);
    expect((await deliverDueWebhooks({ now: c.now })).claimed).toBe(0);

    up = true;
    const before = rx.got.length;
    await resumeEndpoint(org.admin, endpointId);
    await drain(clock());
    const after = rx.got.slice(before);
    expect(after[0]!.json.seq).toBe(stuckAt + 1);
    expect(after.map((r) => r.json.type)).toEqual(expect.arrayContaining(["webhook.endpoint.paused", "webhook.endpoint.resumed"]));
    expect(after.every((r) => verifies(secret, r))).toBe(true);
    expect(await db().emailMessage.count({ where: { orgId: org.orgId, template: "webhook-endpoint-paused" } })).toBe(1);
  });

  it("replay from a time sends again from the first event at or after it; a time beyond retention is refused", async () => {
    const { org, rx, endpointId } = await orgWithEndpoint();
    await createUser(org.admin);
    await drain();
    const all = rx.got.map((r) => r.json);
    const from = await db().securityEvent.findFirstOrThrow({ where: { orgId: org.orgId, seq: all[2]!.seq } });
    rx.got.length = 0;
    await replayEndpoint(org.admin, endpointId, from.createdAt);
    await drain();
    const firstAgain = await db().securityEvent.findFirstOrThrow({ where: { orgId: org.orgId, createdAt: { gte: from.createdAt } }, orderBy: { seq: "asc" } });
    expect(rx.got[0]!.json.seq).toBe(Number(firstAgain.seq));
    expect(rx.got.at(-1)!.json.type).toBe("webhook.endpoint.updated");
    const old = new Date(Date.now() - 400 * 86_400_000);
    const refusal = await rejectionOf(replayEndpoint(org.admin, endpointId, old));
    expect(refusal).toBeInstanceOf(UserFacingError);
    expect((refusal as UserFacingError).fieldErrors?.from).toMatch(/Events are kept for 180 days/);
  });

  it("only the endpoint's event types are sent; the others are skipped, and the cursor still moves past them", async () => {
    const { org, rx, endpointId } = await orgWithEndpoint(undefined, ["user.created"]);
    await createUser(org.admin);
    await createUser(org.admin);
    await drain();
    expect(rx.got.map((r) => r.json.type)).toEqual(["user.created", "user.created"]);
    expect(Number((await endpointRow(endpointId)).deliveredSeq)).toBe(await lastSeq(org.orgId));
  });

  it("send test: a signed ping that is not a stored event and moves no cursor", async () => {
    const { org, rx, endpointId, secret } = await orgWithEndpoint();
    const before = await endpointRow(endpointId);
    const result = await sendPing(org.admin, endpointId);
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(rx.got).toHaveLength(1);
    expect(rx.got[0]!.json.type).toBe("ping");
    expect(rx.got[0]!.id).toMatch(/^ping_/);
    expect(verifies(secret, rx.got[0]!)).toBe(true);
    expect((await endpointRow(endpointId)).deliveredSeq).toBe(before.deliveredSeq);
    expect(await db().securityEvent.count({ where: { id: rx.got[0]!.id } })).toBe(0);
  });

  it("rotating the secret: the new one is shown once and both sign for the overlap", async () => {
    const { org, rx, endpointId, secret } = await orgWithEndpoint();
    const { secret: rotated } = await rotateSecret(await stepUp(org.admin), endpointId);
    expect(rotated).not.toBe(secret);
    await drain();
    const last = rx.got.at(-1)!;
    expect(last.json.type).toBe("webhook.endpoint.secret_rotated");
    expect(last.signatures).toHaveLength(2);
    expect(verifies(rotated, last)).toBe(true);
    expect(verifies(secret, last)).toBe(true);
    const stored = await db().securityEvent.findMany({ where: { orgId: org.orgId } });
    expect(JSON.stringify(stored, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))).not.toContain(rotated.slice(6));
    // After a day only the new one signs.
    const ping = await sendPing(org.admin, endpointId, { now: new Date(Date.now() + 25 * 60 * 60_000) });
    expect(ping.ok).toBe(true);
    expect(rx.got.at(-1)!.signatures).toHaveLength(1);
    expect(verifies(rotated, rx.got.at(-1)!)).toBe(true);
  });

  it("another org's admin cannot see, change, replay, ping or delete the endpoint", async () => {
    const { endpointId } = await orgWithEndpoint();
    const stranger = await createOrg("Stranger");
    const elevated = await stepUp(stranger.admin);
    for (const attempt of [
      () => pauseEndpoint(elevated, endpointId),
      () => resumeEndpoint(elevated, endpointId),
      () => replayEndpoint(elevated, endpointId, new Date()),
      () => rotateSecret(elevated, endpointId),
      () => deleteEndpoint(elevated, endpointId),
      () => sendPing(elevated, endpointId),
    ]) {
      expect(await rejectionOf(attempt())).toMatchObject({ code: "not-found" });
    }
    expect((await endpointRow(endpointId)).state).toBe("ACTIVE");
  });
});

describe("a key flagged as a possible clone records user.security_key.flagged in the same statement", () => {
  it("once, however many bad assertions race, with the key's id, and the stream delivers it", async () => {
    const { org, rx } = await orgWithEndpoint();
    await setOrgSettings(org.orgId, {});
    const { userId } = await createUser(org.admin);
    const { ctx } = await signIn(userId);
    await reauthenticate(ctx);
    const key = await finishKeyRegistration(await registering(ctx), (await keyResponseFor(ctx)).response);
    await Promise.all([1, 2].map(() => flagPossibleClone(ctx, { id: key.id, name: key.name }, TEST_REQUEST, new Date())));
    const events = await db().securityEvent.findMany({ where: { orgId: org.orgId, type: "user.security_key.flagged" } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ targetUserId: userId, targetCredentialId: key.id, targetCredentialName: key.name, actorKind: "system" });
    expect(await db().auditEvent.count({ where: { orgId: org.orgId, action: "Flagged possible cloned key", targetId: userId } })).toBe(1);
    await drain();
    const delivered = rx.got.find((r) => r.json.type === "user.security_key.flagged")!;
    expect(delivered.json).toMatchObject({ target: { credential: { id: key.id }, user: { id: userId } }, data: { reason: "counter-regression" } });
  });
});

describe("where deliveries may go", () => {
  /** A TCP listener that counts connections: none must arrive. */
  async function tripwire() {
    let connections = 0;
    const server = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { port: (server.address() as AddressInfo).port, connections: () => connections };
  }

  it("in production, private, loopback, link-local and mapped addresses are refused before any connection, also behind a host name", async () => {
    const wire = await tripwire();
    const p = wire.port;
    const lookups: string[] = [];
    const resolve = async (host: string) => {
      lookups.push(host);
      const table: Record<string, string> = { "hooks.example.test": "127.0.0.1", "meta.example.test": "169.254.169.254", "v6.example.test": "::1" };
      const address = table[host];
      if (!address) throw new Error(`unexpected lookup of ${host}`);
      return [{ address, family: net.isIP(address) }];
    };
    for (const url of [
      `https://127.0.0.1:${p}/`,
      `https://10.0.0.1:${p}/`,
      `https://169.254.169.254/latest/meta-data/`,
      `https://[::1]:${p}/`,
      `https://[::ffff:127.0.0.1]:${p}/`,
      `https://100.64.0.1:${p}/`,
      `https://[fe80::1]:${p}/`,
      `https://0.0.0.0:${p}/`,
      `https://hooks.example.test:${p}/`,
      `https://meta.example.test:${p}/`,
      `https://v6.example.test:${p}/`,
      `http://public.example.test:${p}/`,
    ]) {
      const result = await postSigned(url, {}, "{}", { production: true, resolve, timeoutMs: 2_000 });
      expect(result, url).toMatchObject({ ok: false, attempted: false });
    }
    expect(lookups).toEqual(["hooks.example.test", "meta.example.test", "v6.example.test"]);
    expect(wire.connections()).toBe(0);
  });

  it("in production the worker refuses an endpoint that resolves to a private address, and records why", async () => {
    const wire = await tripwire();
    const org = await createOrg("Ssrf");
    const { endpointId } = await createEndpoint(await stepUp(org.admin), { url: `https://hooks.example.test:${wire.port}/`, description: "", eventTypes: [] });
    const report = await deliverDueWebhooks({ production: true, resolve: async () => [{ address: "10.1.2.3", family: 4 }] });
    expect(report.failed).toBe(1);
    expect((await endpointRow(endpointId)).lastError).toMatch(/resolves to 10\.1\.2\.3 is a private/);
    expect(wire.connections()).toBe(0);
  });

  it("outside production, http is only for localhost", async () => {
    const org = await createOrg("Http");
    const refusal = await rejectionOf(createEndpoint(await stepUp(org.admin), { url: "http://siem.example.test/hook", description: "", eventTypes: [] }));
    expect((refusal as UserFacingError).fieldErrors?.url).toMatch(/https/);
  });

  it("a redirect is not followed", async () => {
    const target = await receiver();
    const { rx, endpointId } = await orgWithEndpoint(() => ({ status: 302, location: target.url }));
    await deliverDueWebhooks();
    expect(rx.got).toHaveLength(1);
    expect(target.got).toHaveLength(0);
    expect((await endpointRow(endpointId)).lastError).toMatch(/redirect/);
  });

  it("a 2xx with an endless body counts at once: the body is not read", async () => {
    const { org, endpointId } = await orgWithEndpoint(() => ({ status: 200, hugeBody: true }));
    const heap = process.memoryUsage().heapUsed;
    const started = Date.now();
    await deliverDueWebhooks({ timeoutMs: 5_000 });
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(process.memoryUsage().heapUsed - heap).toBeLessThan(64 * 1024 * 1024);
    expect(Number((await endpointRow(endpointId)).deliveredSeq)).toBe(await lastSeq(org.orgId));
  });

  it("an endless error body is read only up to the cap: the failure is recorded at once", async () => {
    const { endpointId } = await orgWithEndpoint(() => ({ status: 500, hugeBody: true }));
    const heap = process.memoryUsage().heapUsed;
    const started = Date.now();
    const report = await deliverDueWebhooks({ timeoutMs: 5_000 });
    expect(report.failed).toBe(1);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(process.memoryUsage().heapUsed - heap).toBeLessThan(64 * 1024 * 1024);
    expect((await endpointRow(endpointId)).lastError).toMatch(/^Answered 500: x+$/);
  });

  it("an attempt that gets no answer times out", async () => {
    const { endpointId } = await orgWithEndpoint(() => ({ status: 200, delayMs: 3_000 }));
    await deliverDueWebhooks({ timeoutMs: 500 });
    expect((await endpointRow(endpointId)).lastError).toMatch(/No answer within/);
  });
});
