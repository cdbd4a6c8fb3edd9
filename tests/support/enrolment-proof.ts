import type { OrgContext } from "@/lib/auth/org-context";
import { db } from "@/lib/db/client";
import { sendEnrolmentCode, verifyEnrolmentCode } from "@/lib/verification/enrolment-proof";

/** The 6-digit code in the newest enrolment-code email queued for an address. */
export async function enrolmentCodeFor(to: string): Promise<string> {
  const mail = await db().emailMessage.findFirstOrThrow({ where: { to, template: "enrolment-code" }, orderBy: { createdAt: "desc" } });
  const code = /^\s*(\d{6})\s*$/m.exec(mail.text)?.[1];
  if (!code) throw new Error(`enrolmentCodeFor: no code in the enrolment email to ${to}`);
  return code;
}

/** As a user in required-MFA enrolment would: "Email me a code", then the code from the email, in this session. */
export async function proveMailbox(ctx: OrgContext): Promise<void> {
  await sendEnrolmentCode(ctx);
  const { email } = await db().user.findUniqueOrThrow({ where: { id: ctx.userId }, select: { email: true } });
  await verifyEnrolmentCode(ctx, await enrolmentCodeFor(email));
}
