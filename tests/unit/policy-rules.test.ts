import { describe, expect, it } from "vitest";
import { csvCell, csvLine } from "@/lib/http/csv";
import {
  keysRefusedUnder,
  DEFAULT_POLICY,
  diffPolicies,
  formatPolicyValue,
  authenticatorModelVerdict,
  mfaRequirement,
  timeoutLabel,
  TIMEOUT_CHOICES,
} from "@/lib/policy/rules";
import { parseDay } from "@/lib/validation/dates";

const YUBIKEY_5 = "cb69481e-8ff7-4039-93ec-0a2729a154a8";
const SOLO = "8876631b-d4a0-427f-5773-0ec71c9e0279";

describe("policy values as the audit trail shows them", () => {
  it("shows booleans as True/False and choices by their labels", () => {
    expect(formatPolicyValue("allowSecurityKeys", true)).toBe("True");
    expect(formatPolicyValue("lockSessionsToIp", false)).toBe("False");
    expect(formatPolicyValue("userVerification", "PREFERRED")).toBe("Preferred");
    expect(formatPolicyValue("authenticatorType", "SECURITY_KEYS_AND_PASSKEYS")).toBe("Security keys and passkeys on this device");
    expect(formatPolicyValue("mfaRequiredFrom", new Date("2027-01-05T00:00:00Z"))).toBe("5 Jan 2027");
    expect(formatPolicyValue("mfaRequiredFrom", null)).toBe("None");
    expect(formatPolicyValue("allowedAaguids", [])).toBe("None");
    expect(formatPolicyValue("allowedAaguids", [SOLO, YUBIKEY_5])).toBe(`${SOLO}, ${YUBIKEY_5}`);
    expect(formatPolicyValue("reauthWindowMinutes", 10)).toBe("10");
  });

  it("labels every timeout choice from 15 minutes to 24 hours", () => {
    expect(TIMEOUT_CHOICES.map(timeoutLabel)).toEqual(["15 minutes", "30 minutes", "1 hour", "2 hours", "4 hours", "8 hours", "12 hours", "24 hours"]);
  });

  it("lists only the fields that changed, in form order", () => {
    expect(diffPolicies(DEFAULT_POLICY, DEFAULT_POLICY)).toEqual([]);
    const changes = diffPolicies(DEFAULT_POLICY, { ...DEFAULT_POLICY, lockSessionsToIp: true, allowSecurityKeys: true, sessionTimeoutMinutes: 60 });
    expect(changes.map((c) => `${c.label}: ${c.oldValue} → ${c.newValue}`)).toEqual([
      "Let users verify their identity with a physical security key (U2F): False → True",
      "Timeout value: 2 hours → 1 hour",
      "Lock sessions to the IP address from which they originated: False → True",
    ]);
  });
});

describe("rules later flows apply", () => {
  it("requires MFA only when on, after the grace period", () => {
    const now = new Date("2027-01-10T12:00:00Z");
    expect(mfaRequirement({ requireMfa: false, mfaRequiredFrom: null }, now)).toBe("off");
    expect(mfaRequirement({ requireMfa: true, mfaRequiredFrom: null }, now)).toBe("required");
    expect(mfaRequirement({ requireMfa: true, mfaRequiredFrom: new Date("2027-01-11T00:00:00Z") }, now)).toBe("grace");
    expect(mfaRequirement({ requireMfa: true, mfaRequiredFrom: new Date("2027-01-10T00:00:00Z") }, now)).toBe("required");
  });

  it("refuses blocked models and, with an allow-list, every model not on it", () => {
    const open = { allowedAaguids: [], blockedAaguids: [SOLO] };
    expect(authenticatorModelVerdict(open, YUBIKEY_5)).toBe("allowed");
    expect(authenticatorModelVerdict(open, SOLO.toUpperCase())).toBe("blocked");
    const listed = { allowedAaguids: [YUBIKEY_5], blockedAaguids: [] };
    expect(authenticatorModelVerdict(listed, YUBIKEY_5.toUpperCase())).toBe("allowed");
    expect(authenticatorModelVerdict(listed, SOLO)).toBe("not-listed");
  });
});

describe("days and CSV cells", () => {
  it("parses real YYYY-MM-DD days only", () => {
    expect(parseDay("2028-02-29")).toEqual(new Date("2028-02-29T00:00:00Z"));
    for (const bad of ["2027-02-29", "2027-13-01", "2027-1-01", "01/02/2027", "1999-12-31", "", "2027-01-01T00:00"]) {
      expect(parseDay(bad), bad).toBeNull();
    }
  });

  it("quotes every cell and disarms formulas", () => {
    expect(csvCell('Ada "the first"')).toBe('"Ada ""the first"""');
    expect(csvCell(null)).toBe('""');
    for (const start of ["=", "+", "-", "@", "\t", "\r"]) expect(csvCell(`${start}1`)).toBe(`"'${start}1"`);
    expect(csvLine(["a", "b,c", "line\nbreak"])).toBe('"a","b,c","line\nbreak"\r\n');
  });
});

describe("keysRefusedUnder (Session Settings' 'would stop working' count)", () => {
  const YUBI = "ee882879-721c-4913-9775-3dfcce97072a";
  const OTHER = "2fc0579f-8113-47ea-b116-bb5a8db9202a";
  const keys = [
    { aaguid: YUBI, proven: true, platform: false, count: 3 },
    { aaguid: OTHER, proven: true, platform: false, count: 2 },
    { aaguid: OTHER, proven: false, platform: false, count: 1 },
    { aaguid: OTHER, proven: false, platform: true, count: 4 },
  ];
  const open = { allowedAaguids: [], blockedAaguids: [], authenticatorType: "SECURITY_KEYS_AND_PASSKEYS" as const, requireVerifiedModels: false };

  it("counts nothing when passkeys are allowed and no model list is set", () => {
    expect(keysRefusedUnder(open, keys)).toBe(0);
  });

  it("counts only passkeys under physical keys only: an unproven key of any maker still works", () => {
    expect(keysRefusedUnder({ ...open, authenticatorType: "SECURITY_KEYS_ONLY" }, keys)).toBe(4);
  });

  it("counts unproven keys under 'Accept only verified key models', and passkeys too with physical keys only", () => {
    expect(keysRefusedUnder({ ...open, requireVerifiedModels: true }, keys)).toBe(5);
    expect(keysRefusedUnder({ ...open, requireVerifiedModels: true, authenticatorType: "SECURITY_KEYS_ONLY" }, keys)).toBe(5);
  });

  it("counts keys off an allow-list, and unproven keys of a listed model", () => {
    expect(keysRefusedUnder({ ...open, allowedAaguids: [YUBI] }, keys)).toBe(7);
    expect(keysRefusedUnder({ ...open, allowedAaguids: [OTHER] }, keys)).toBe(8);
  });

  it("counts blocked models, and every unproven key under a deny-list", () => {
    expect(keysRefusedUnder({ ...open, blockedAaguids: [YUBI] }, keys)).toBe(8);
  });
});
