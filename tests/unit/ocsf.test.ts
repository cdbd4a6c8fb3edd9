import { describe, expect, it } from "vitest";
import { toOcsf } from "@/lib/events/ocsf";
import type { SerializedEvent } from "@/lib/events/serialize";
import { SECURITY_EVENT_TYPES } from "@/lib/events/types";

// The OCSF form a SIEM reads (README "Security events"): the documented fields
// of Authentication (3002) and Account Change (3001), and every type mapped.

const ORG = "7b0c6f0e-0000-4000-8000-000000000001";
const USER = "7b0c6f0e-0000-4000-8000-000000000002";
const KEY = "7b0c6f0e-0000-4000-8000-000000000003";

function event(type: string, overrides: Partial<SerializedEvent> = {}): SerializedEvent {
  return {
    id: "01JEXAMPLE0000000000000000",
    seq: 42,
    type,
    occurredAt: "2026-12-07T04:00:00.000Z",
    outcome: "success",
    orgId: ORG,
    actor: { kind: "user", id: USER, name: "Grace Hopper" },
    target: { user: { id: USER, name: "Grace Hopper", username: "grace@acme.test" }, credential: null, setting: null },
    client: { ip: "203.0.113.7", userAgent: "Chrome" },
    data: {},
    ...overrides,
  };
}

const common = (record: Record<string, unknown>) => {
  expect(record).toMatchObject({
    category_uid: 3,
    time: Date.parse("2026-12-07T04:00:00.000Z"),
    metadata: { uid: "01JEXAMPLE0000000000000000", tenant_uid: ORG, sequence: 42, version: expect.stringMatching(/^1\.\d+\.\d+$/) },
  });
  expect(record.type_uid).toBe((record.class_uid as number) * 100 + (record.activity_id as number));
};

describe("OCSF mapping", () => {
  it("a second-factor verification at login is Authentication 3002, Logon, with is_mfa and its auth_factors", () => {
    const record = toOcsf(
      event("user.verification.succeeded", {
        target: {
          user: { id: USER, name: "Grace", username: "grace@acme.test" },
          credential: { id: KEY, name: "YubiKey", aaguid: null, modelVerified: true },
          setting: null,
        },
        data: { method: "password-and-security-key", purpose: "login" },
      }),
    );
    common(record);
    expect(record).toMatchObject({ class_uid: 3002, class_name: "Authentication", activity_id: 1, status_id: 1, is_mfa: true, user: { uid: USER } });
    expect(record.auth_factors).toEqual([
      { factor_type_id: 11, factor_type: "Password" },
      { factor_type_id: 10, factor_type: "WebAuthn" },
    ]);
    expect(record.src_endpoint).toEqual({ ip: "203.0.113.7" });
  });

  it("a failed password login is Authentication 3002, Failure, not MFA, with the reason", () => {
    const record = toOcsf(event("user.login.failed", { outcome: "failure", data: { reason: "invalid-password" } }));
    common(record);
    expect(record).toMatchObject({ class_uid: 3002, activity_id: 1, status_id: 2, status: "Failure", is_mfa: false, status_detail: "invalid-password" });
  });

  it("a device activation is Authentication 3002 too", () => {
    const record = toOcsf(event("user.verification.succeeded", { data: { method: "emailed-code", purpose: "device-activation" } }));
    expect(record).toMatchObject({ class_uid: 3002, activity_id: 1, is_mfa: true, auth_factors: [{ factor_type_id: 8 }] });
  });

  it("a key registered and removed are Account Change 3001, activities 10 and 11, both carrying the credential id", () => {
    const credential = { id: KEY, name: "YubiKey", aaguid: "ee882879-721c-4913-9775-3dfcce97072a", modelVerified: true };
    const added = toOcsf(event("user.security_key.registered", { target: { user: { id: USER, name: "G", username: "g" }, credential, setting: null } }));
    const removed = toOcsf(event("user.security_key.removed", { target: { user: { id: USER, name: "G", username: "g" }, credential, setting: null } }));
    common(added);
    expect(added).toMatchObject({ class_uid: 3001, class_name: "Account Change", activity_id: 10, activity_name: "MFA Factor Enable", user: { uid: USER } });
    expect(removed).toMatchObject({ class_uid: 3001, activity_id: 11, activity_name: "MFA Factor Disable" });
    expect(added.resources).toEqual([{ uid: KEY, name: "YubiKey", type: "security_key" }]);
    expect(removed.resources).toEqual(added.resources);
  });

  it("password changes and lockouts are Account Change 3001 (3 Password Change, 9 Lock)", () => {
    expect(toOcsf(event("user.password.changed"))).toMatchObject({ class_uid: 3001, activity_id: 3 });
    expect(toOcsf(event("user.login.locked_out", { outcome: "failure" }))).toMatchObject({ class_uid: 3001, activity_id: 9, severity_id: 4 });
  });

  it("a flagged key is a factor disabled, at high severity", () => {
    expect(toOcsf(event("user.security_key.flagged", { actor: { kind: "system", id: null, name: "Gatehouse" } }))).toMatchObject({
      class_uid: 3001,
      activity_id: 11,
      severity_id: 4,
      actor: { app_name: "Gatehouse" },
    });
  });

  it("a role change is User Access Management 3005; settings and webhooks are Entity Management 3004", () => {
    expect(toOcsf(event("user.role.changed", { data: { from: "STANDARD", to: "ADMIN" } }))).toMatchObject({ class_uid: 3005, activity_id: 1 });
    const setting = toOcsf(
      event("settings.updated", { target: { user: null, credential: null, setting: { field: "requireMfa", old: "false", new: "true" } } }),
    );
    expect(setting).toMatchObject({ class_uid: 3004, activity_id: 3, entity: { name: "requireMfa", data: { old: "false", new: "true" } } });
    expect(toOcsf(event("webhook.endpoint.deleted", { data: { endpointId: "e", url: "https://x.test" } }))).toMatchObject({ class_uid: 3004, activity_id: 4 });
  });

  it("every event type maps to a known class with a named activity", () => {
    for (const type of SECURITY_EVENT_TYPES) {
      const record = toOcsf(event(type, { data: { purpose: "login", method: "password" } }));
      expect([3001, 3002, 3004, 3005], type).toContain(record.class_uid);
      expect(record.activity_name, type).toEqual(expect.any(String));
    }
  });
});
