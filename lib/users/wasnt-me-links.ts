import "server-only";
import type { EmailTemplateData } from "../../emails";
import { WASNT_ME_VALID_FOR_MS } from "../../emails/wasnt-me";
import { hashToken, randomToken } from "../crypto/tokens";
import type { Prisma } from "../db/generated/client";
import { enqueueEmail, releaseHeldEmail } from "../email/outbox";
import { env } from "../env";

// Issuing the "This wasn't me" link of a security email. The token (256 bits)
// travels only in the email; CompromiseReport keeps its SHA-256, bound to the
// outbox message and to what the message reports, so that confirming it later
// undoes exactly that. Confirming lives in ./compromise.ts.

/** Every email that carries the link, i.e. every security email a user receives about their own account. */
export const WASNT_ME_TEMPLATES = [
  "security-key-registered",
  "security-key-removed",
  "recovery-codes-generated",
  "authenticator-app-connected",
  "authenticator-app-disconnected",
  "temporary-code-issued",
  "device-activation-code",
  "enrolment-code",
  "password-changed",
  "new-device-activated",
  "second-factor-failures",
] as const;
export type WasntMeTemplate = (typeof WASNT_ME_TEMPLATES)[number];

export interface SecurityEmail<N extends WasntMeTemplate> {
  orgId: string;
  userId: string;
  to: string;
  template: N;
  data: Omit<EmailTemplateData<N>, "wasntMeLink">;
  /** What the email reports, in words (shown on the link's page and to admins). */
  summary: string;
  /** The key, authenticator app or temporary code it reports, undone on confirmation. */
  subjectId?: string | null;
}

export function wasntMeUrl(token: string): string {
  return `${env().APP_URL.replace(/\/+$/, "")}/wasnt-me/${token}`;
}

function withLink<N extends WasntMeTemplate>(email: SecurityEmail<N>, token: string) {
  const data = { ...email.data, wasntMeLink: wasntMeUrl(token) } as EmailTemplateData<N>;
  return { orgId: email.orgId, to: email.to, template: email.template, data };
}

/**
 * Queues a security email with its "This wasn't me" link, in the caller's transaction.
 * `notBefore` holds it back (a new key's email waits for "Name your key").
 */
export async function enqueueSecurityEmail<N extends WasntMeTemplate>(
  tx: Prisma.TransactionClient,
  email: SecurityEmail<N>,
  now = new Date(),
  options: { notBefore?: Date } = {},
): Promise<{ id: string }> {
  const token = randomToken();
  const message = await enqueueEmail(tx, withLink(email, token), options);
  await tx.compromiseReport.create({
    data: {
      tokenHash: hashToken(token),
      orgId: email.orgId,
      userId: email.userId,
      emailMessageId: message.id,
      event: email.template,
      subjectId: email.subjectId ?? null,
      summary: email.summary.slice(0, 300),
      expiresAt: new Date(now.getTime() + WASNT_ME_VALID_FOR_MS),
      createdAt: now,
    },
  });
  return message;
}

/**
 * Rewrites a held security email (the key got its name) and releases it, with
 * a fresh link: the old token only ever existed in the old body. False when
 * the message already left; its link then stands as sent.
 */
export async function releaseHeldSecurityEmail<N extends WasntMeTemplate>(
  tx: Prisma.TransactionClient,
  emailId: string,
  email: SecurityEmail<N>,
): Promise<boolean> {
  const token = randomToken();
  const released = await releaseHeldEmail(tx, emailId, withLink(email, token));
  if (released) {
    await tx.compromiseReport.updateMany({
      where: { emailMessageId: emailId, orgId: email.orgId, userId: email.userId, confirmedAt: null },
      data: { tokenHash: hashToken(token), summary: email.summary.slice(0, 300) },
    });
  }
  return released;
}
