import { describe, expect, it } from "vitest";
import { PASSWORD_MESSAGES, passwordProblem } from "@/lib/auth/passwords/password-policy";
import { parseInput } from "@/lib/auth/action";
import { changePasswordSchema, signupSchema } from "@/lib/validation/account";
import { DEMO_PASSWORD } from "@/lib/orgs/demo-data";
import { TEST_PASSWORD } from "../support/factories";
import { E2E_PASSWORD } from "../support/pages";

const owner = { username: "grace.hopper@acme.test", orgName: "Acme Rockets" };

describe("the password policy", () => {
  it("asks for 12 to 256 characters", () => {
    expect(passwordProblem("short-pass1")).toBe(PASSWORD_MESSAGES.tooShort);
    expect(passwordProblem("x".repeat(200) + "-" + "y".repeat(56))).toBe(PASSWORD_MESSAGES.tooLong);
    expect(passwordProblem("plum-kettle-orbit")).toBeNull();
  });

  it("refuses common and leaked passwords, also with digits or symbols around them and letter swaps", () => {
    for (const password of ["password1234", "qwertyuiop123", "123456789012", "iloveyou2024!!", "P@ssw0rd12345", "!!sunshine2020"]) {
      expect(passwordProblem(password), password).toBe(PASSWORD_MESSAGES.common);
    }
  });

  it("refuses a few characters repeated", () => {
    expect(passwordProblem("aaaaaaaaaaaaaaaa")).toBe(PASSWORD_MESSAGES.repetitive);
    expect(passwordProblem("abababababababab")).toBe(PASSWORD_MESSAGES.repetitive);
  });

  it("refuses the username and the org name, however they are written", () => {
    expect(passwordProblem("my-Grace.Hopper-secret", owner)).toBe(PASSWORD_MESSAGES.username);
    expect(passwordProblem("x-grace.hopper@acme.test-x", owner)).toBe(PASSWORD_MESSAGES.username);
    expect(passwordProblem("we-love-ACME-ROCKETS!", owner)).toBe(PASSWORD_MESSAGES.orgName);
    expect(passwordProblem("plum-kettle-orbit", owner)).toBeNull();
  });

  it("lets the fixed passwords of the seed, the tests and e2e through", () => {
    expect(passwordProblem(DEMO_PASSWORD, { username: "ada@acme.test", orgName: "Acme" })).toBeNull();
    expect(passwordProblem(TEST_PASSWORD, owner)).toBeNull();
    expect(passwordProblem(E2E_PASSWORD, { username: "admin@e2e-abc.test", orgName: "E2E Org abc" })).toBeNull();
  });

  it("says why in the form's field errors", async () => {
    const refused = parseInput(changePasswordSchema, { password: "password1234", confirmPassword: "password1234" });
    await expect(refused).rejects.toMatchObject({ fieldErrors: { password: PASSWORD_MESSAGES.common } });
    const signup = signupSchema.safeParse({ orgName: "Acme", slug: "acme", name: "Ada", email: "ada@acme.test", password: "qwerty123456" });
    expect(signup.success).toBe(false);
    expect(signup.error?.issues[0]?.message).toBe(PASSWORD_MESSAGES.common);
  });
});
