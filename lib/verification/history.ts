import "server-only";
import { db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import type { RequestInfo } from "../http/request-info";

export type VerificationMethod =
  "Password" | "Security key" | "Password and security key" | "Emailed code" | "Recovery code" | "Temporary code" | "Authenticator app" | "Emailed link";
/** Every activity and result a row can carry; the history page's filters offer exactly these. */
export const VERIFICATION_ACTIVITIES = [
  "Login",
  "Device activation",
  "Re-authentication",
  "Register security key",
  "Remove security key",
  "Generate recovery codes",
  "Connect authenticator app",
  "Disconnect authenticator app",
  "Prove email for enrolment",
  "Change password",
  "Reset password",
  "Report “This wasn't me”",
] as const;
export const VERIFICATION_RESULTS = ["Succeeded", "Failed"] as const;
export type VerificationActivity = (typeof VERIFICATION_ACTIVITIES)[number];
export type VerificationResult = (typeof VERIFICATION_RESULTS)[number];

export interface VerificationRecord {
  orgId: string;
  userId: string;
  method: VerificationMethod;
  activity: VerificationActivity;
  result: VerificationResult;
  detail?: string;
  request: RequestInfo;
}

type Writer = Prisma.TransactionClient | ReturnType<typeof db>;

/** One Identity Verification History row. Pass the transaction of the change it records, if any. */
export async function recordVerification(entry: VerificationRecord, writer: Writer = db()): Promise<{ id: string }> {
  return writer.verificationEvent.create({
    select: { id: true },
    data: {
      orgId: entry.orgId,
      userId: entry.userId,
      method: entry.method,
      activity: entry.activity,
      result: entry.result,
      detail: entry.detail?.slice(0, 500) ?? null,
      ip: entry.request.ip,
      userAgent: entry.request.userAgent,
    },
  });
}
