import { describe, expect, it } from "vitest";
import { SMTP_REQUIRED, SMTP_REQUIRED_WITH_DATABASE_URL, assertMailConfigured, describeDeliveryError, mailboxEnabled } from "@/lib/email/transport";

describe("mail configuration", () => {
  const embedded = { SMTP_URL: undefined, isProductionDeployment: false };
  const production = { SMTP_URL: undefined, isProductionDeployment: true };
  const withSmtp = { SMTP_URL: "smtps://u:p@mail.example.test:465", isProductionDeployment: true };

  it("keeps mail for /dev/mailbox only without SMTP_URL outside production", () => {
    expect(mailboxEnabled(embedded)).toBe(true);
    expect(mailboxEnabled(production)).toBe(false);
    expect(mailboxEnabled(withSmtp)).toBe(false);
    expect(mailboxEnabled({ ...withSmtp, isProductionDeployment: false })).toBe(false);
  });

  it("stops a production deployment without SMTP_URL with a clear message", () => {
    expect(() => assertMailConfigured(production)).toThrow(SMTP_REQUIRED);
    expect(() => assertMailConfigured(embedded)).not.toThrow();
    expect(() => assertMailConfigured(withSmtp)).not.toThrow();
  });

  it("stops PostgreSQL without SMTP_URL outside production too: there is no mailbox to keep the mail in", () => {
    const postgres = { ...embedded, DATABASE_URL: "postgresql://localhost/gatehouse" };
    expect(mailboxEnabled(postgres)).toBe(false);
    expect(() => assertMailConfigured(postgres)).toThrow(SMTP_REQUIRED_WITH_DATABASE_URL);
  });
});

describe("describeDeliveryError", () => {
  it("keeps the code and message on one bounded line, without the SMTP password", () => {
    const error = Object.assign(new Error("Invalid login: 535 auth failed for s3cr%2Ft\nline two s3cr/t"), { code: "EAUTH", responseCode: 535 });
    const text = describeDeliveryError(error, "smtp://mailer:s3cr%2Ft@mail.example.test:587");
    expect(text).toBe("EAUTH: 535: Invalid login: 535 auth failed for *** line two ***");
    expect(describeDeliveryError(new Error("x".repeat(2000)))).toHaveLength(500);
    expect(describeDeliveryError("weird")).toBe("weird");
  });
});
