import "server-only";
import nodemailer from "nodemailer";
import { env, type Env } from "../env";

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Our own Message-ID, stable across retries, so a receiver can drop a duplicate. */
  messageId: string;
}

export interface MailTransport {
  readonly kind: "smtp" | "mailbox";
  /** Resolves with the message id the provider accepted; rejects when it did not. */
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  close(): void;
}

export const SMTP_REQUIRED =
  "SMTP_URL is required in production: set it to smtp://user:pass@host:587 or smtps://user:pass@host:465 so Gatehouse can deliver its notifications.";

/**
 * Mail is kept for /dev/mailbox only in the embedded default: no SMTP_URL, no
 * DATABASE_URL, so never in a production deployment. scripts/server.mjs
 * applies the same rule (`embeddedMailbox`) to listen on loopback only.
 */
export function mailboxEnabled(config: Pick<Env, "SMTP_URL" | "isProductionDeployment"> & Partial<Pick<Env, "DATABASE_URL">> = env()): boolean {
  return !config.SMTP_URL && !config.DATABASE_URL && !config.isProductionDeployment;
}

export const SMTP_REQUIRED_WITH_DATABASE_URL =
  "SMTP_URL is required with DATABASE_URL: /dev/mailbox exists only in the embedded default, so mail would have nowhere to go.";

/** Stops startup (server and mail worker) when mail would have nowhere to go. */
export function assertMailConfigured(config: Pick<Env, "SMTP_URL" | "isProductionDeployment"> & Partial<Pick<Env, "DATABASE_URL">> = env()): void {
  if (config.SMTP_URL) return;
  if (config.isProductionDeployment) throw new Error(SMTP_REQUIRED);
  if (config.DATABASE_URL) throw new Error(SMTP_REQUIRED_WITH_DATABASE_URL);
}

/**
 * Delivery over SMTP with nodemailer. Timeouts are short so one unreachable
 * server cannot hold a worker for longer than its claim on a message.
 */
export function smtpTransport(url: string): MailTransport {
  const transporter = nodemailer.createTransport({
    url,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
  });
  return {
    kind: "smtp",
    async send(mail) {
      try {
        const info = await transporter.sendMail({ ...mail, headers: { "Auto-Submitted": "auto-generated" } });
        return { messageId: info.messageId || mail.messageId };
      } catch (error) {
        // Redacted here, where the URL in use is known, before the error is stored or logged.
        // No `cause`: the original error would carry the unredacted SMTP URL (with its password) along.
        // eslint-disable-next-line preserve-caught-error -- see above
        throw new Error(describeDeliveryError(error, url));
      }
    },
    close: () => transporter.close(),
  };
}

/** The embedded default: the outbox row is the mailbox, so "sending" only marks it delivered. */
export const mailboxTransport: MailTransport = {
  kind: "mailbox",
  async send(mail) {
    return { messageId: mail.messageId };
  },
  close: () => undefined,
};

/** The transport the configuration asks for. */
export function configuredTransport(config: Env = env()): MailTransport {
  assertMailConfigured(config);
  return config.SMTP_URL ? smtpTransport(config.SMTP_URL) : mailboxTransport;
}

/**
 * What the Email Log shows for a failed attempt: the error's code and message,
 * one line, bounded, with SMTP credentials removed should a library echo them.
 */
export function describeDeliveryError(error: unknown, smtpUrl = env().SMTP_URL): string {
  const err = error instanceof Error ? (error as Error & { code?: unknown; responseCode?: unknown }) : null;
  const parts = [
    typeof err?.code === "string" ? err.code : null,
    typeof err?.responseCode === "number" ? String(err.responseCode) : null,
    err ? err.message : String(error),
  ].filter(Boolean);
  let text = parts.join(": ").replace(/\s+/g, " ").trim();
  for (const secret of credentialsOf(smtpUrl)) text = text.split(secret).join("***");
  return text.slice(0, 500) || "Unknown error";
}

function credentialsOf(smtpUrl: string | undefined): string[] {
  if (!smtpUrl) return [];
  try {
    const url = new URL(smtpUrl);
    return [url.password, decodeURIComponent(url.password)].filter((s) => s.length > 0);
  } catch {
    return [];
  }
}
