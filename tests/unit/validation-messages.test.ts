import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseInput } from "@/lib/auth/action";
import { UserFacingError } from "@/lib/errors";
import * as account from "@/lib/validation/account";
import * as codes from "@/lib/validation/codes";
import { humanIssueMessage } from "@/lib/validation/messages";
import { sessionSettingsSchema } from "@/lib/validation/session-settings";
import * as webauthn from "@/lib/validation/webauthn";

// Issue 30 item 12: no raw validation text reaches a page. Every form schema,
// given an oversized, an empty and a malformed value in each field, answers in
// words a person uses, from the schema's own message or lib/validation/messages.ts.

/** zod's own English: what must never be shown. */
const ZOD_DEFAULT = /^(Too (big|small)|Invalid|Expected|Unrecognized key)|expected (string|number|boolean)|<=|>=/;

const FORMS: Record<string, z.ZodObject> = {
  signup: account.signupSchema,
  signupCode: account.signupCodeSchema,
  login: account.loginSchema,
  addUser: account.addUserSchema,
  forgotPassword: account.forgotPasswordSchema,
  compromiseConfirm: account.compromiseConfirmSchema,
  emailCode: codes.emailCodeSchema,
  oneTimeCode: codes.oneTimeCodeSchema,
  authenticatorCode: codes.authenticatorCodeSchema,
  reauthPassword: codes.reauthPasswordSchema,
  renameKey: webauthn.renameKeySchema,
};

const BAD_VALUES: [string, unknown][] = [
  ["oversized", "x".repeat(5000)],
  ["empty", ""],
  ["malformed", 12345],
];

async function fieldErrorsFor(schema: z.ZodType, input: Record<string, unknown>): Promise<Record<string, string>> {
  try {
    await parseInput(schema, input);
    return {};
  } catch (error) {
    expect(error).toBeInstanceOf(UserFacingError);
    return (error as UserFacingError).fieldErrors ?? {};
  }
}

describe("every form field answers a bad value in words a person uses", () => {
  for (const [form, schema] of Object.entries(FORMS)) {
    for (const field of Object.keys(schema.shape)) {
      it.each(BAD_VALUES)(`${form}.${field}: %s`, async (_what, value) => {
        const errors = await fieldErrorsFor(schema, { [field]: value });
        for (const message of Object.values(errors)) expect(message).not.toMatch(ZOD_DEFAULT);
      });
    }
  }

  it("Session Settings too", async () => {
    const errors = await fieldErrorsFor(sessionSettingsSchema, { version: "x".repeat(50), reauthWindowMinutes: "", sessionTimeoutMinutes: 5 });
    expect(Object.keys(errors).length).toBeGreaterThan(0);
    for (const message of Object.values(errors)) expect(message).not.toMatch(ZOD_DEFAULT);
  });

  it("phrases the issue's example: an oversized username", async () => {
    const errors = await fieldErrorsFor(account.loginSchema, { username: `${"a".repeat(250)}@b.test`, password: "x" });
    expect(errors.username).toBe("Usernames are at most 254 characters.");
  });
});

describe("humanIssueMessage", () => {
  it("names the field and the limit", () => {
    const schema = z.object({ name: z.string().min(1).max(3), code: z.string() });
    const issues = schema.safeParse({ name: "abcd" }, { error: humanIssueMessage }).error!.issues.map((i) => i.message);
    expect(issues).toEqual(["Names are at most 3 characters.", "Enter a code."]);
  });

  it("leaves a schema's own message alone", () => {
    const schema = z.object({ name: z.string().max(3, "Keep it short.") });
    expect(schema.safeParse({ name: "abcd" }, { error: humanIssueMessage }).error!.issues[0]!.message).toBe("Keep it short.");
  });
});
