import { describe, expect, it } from "vitest";
import { addUserSchema, fieldErrorsOf, loginSchema, MIN_PASSWORD_LENGTH, signupSchema, usernameSchema } from "@/lib/validation/account";

const validSignup = {
  orgName: "Acme",
  slug: "acme-corp",
  name: "Ada Lovelace",
  email: "ada@acme.test",
  password: "a-long-password",
};

/** The form's field errors for an input, or fails when the input is accepted. */
function signupErrors(input: Record<string, unknown>): Record<string, string> {
  const parsed = signupSchema.safeParse(input);
  if (parsed.success) expect.fail(`expected ${JSON.stringify(input)} to be refused`);
  return fieldErrorsOf(parsed.error);
}

describe("sign-up form", () => {
  it("accepts a valid org, normalising the slug to lower case", () => {
    expect(signupSchema.parse({ ...validSignup, slug: "  Acme-Corp " })).toEqual({ ...validSignup, slug: "acme-corp" });
  });

  it.each(["a", "acme corp", "acme_corp", "-acme", "acme-", "acme--corp", "äcme", "acme/../admin", "x".repeat(41), ""])(
    "refuses the slug %j with a message on the slug field only",
    (slug) => {
      const errors = signupErrors({ ...validSignup, slug });
      expect(Object.keys(errors)).toEqual(["slug"]);
      expect(errors.slug).toMatch(/^Use /);
    },
  );

  it("explains what a slug may contain", () => {
    expect(signupErrors({ ...validSignup, slug: "Acme Corp!" }).slug).toBe("Use lowercase letters, digits and single hyphens, e.g. acme-corp.");
  });

  it.each(["ada", "ada@", "@acme.test", "ada@acme", "ada@@acme.test", "ada acme@acme.test", `${"a".repeat(250)}@acme.test`])(
    "refuses the email %j on the email field",
    (email) => {
      const errors = signupErrors({ ...validSignup, email });
      expect(Object.keys(errors)).toEqual(["email"]);
    },
  );

  it("refuses a password shorter than 12 characters and accepts one of exactly 12", () => {
    expect(MIN_PASSWORD_LENGTH).toBe(12);
    expect(signupErrors({ ...validSignup, password: "elevenchars" })).toEqual({ password: "Use at least 12 characters." });
    expect(signupSchema.safeParse({ ...validSignup, password: "twelve-chars" }).success).toBe(true);
    expect(signupErrors({ ...validSignup, password: "x".repeat(257) })).toEqual({ password: "Use at most 256 characters." });
  });

  it("reports every bad field at once, one message each", () => {
    const errors = signupErrors({ orgName: " ", slug: "Bad Slug!", name: "", email: "nope", password: "short" });
    expect(Object.keys(errors).sort()).toEqual(["email", "name", "orgName", "password", "slug"]);
    expect(Object.values(errors).every((message) => typeof message === "string" && message.length > 0)).toBe(true);
  });

  it("refuses non-string values instead of coercing them", () => {
    expect(Object.keys(signupErrors({ ...validSignup, password: 123456789012345 }))).toEqual(["password"]);
    expect(Object.keys(signupErrors({ ...validSignup, email: ["ada@acme.test"] }))).toEqual(["email"]);
  });
});

describe("usernames", () => {
  it("are trimmed and lower-cased wherever they are entered", () => {
    expect(usernameSchema.parse("  Ada@ACME.Test ")).toBe("ada@acme.test");
    expect(loginSchema.parse({ username: " ADA@acme.TEST ", password: "x" }).username).toBe("ada@acme.test");
    const added = addUserSchema.parse({
      name: "Ada",
      username: "Ada.Lovelace@Acme.Test",
      email: "Ada.Lovelace@Acme.Test",
      role: "STANDARD",
      password: "a-long-password",
    });
    expect(added.username).toBe("ada.lovelace@acme.test");
    // Email is where mail goes; it keeps the spelling the admin typed.
    expect(added.email).toBe("Ada.Lovelace@Acme.Test");
  });

  it("must look like an email address", () => {
    const parsed = usernameSchema.safeParse("ada");
    expect(parsed.success).toBe(false);
    expect(fieldErrorsOf(parsed.error!)).toEqual({ form: "Usernames look like an email address, e.g. ada@acme.test." });
  });

  it("an unknown role is refused on the role field", () => {
    const parsed = addUserSchema.safeParse({ name: "Ada", username: "ada@acme.test", email: "ada@acme.test", role: "OWNER", password: "a-long-password" });
    expect(parsed.success).toBe(false);
    expect(fieldErrorsOf(parsed.error!)).toEqual({ role: "Choose Admin or Standard." });
  });
});
