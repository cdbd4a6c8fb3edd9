import "server-only";
import { EMAIL_TEMPLATES, isEmailTemplateName } from "@/emails";
import { findMailboxMessage } from "@/lib/email/queries";
import { idSchema } from "@/lib/validation/account";

export type MailboxParams = Record<string, string | string[] | undefined>;

export interface ShownMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  createdAt?: Date;
  state?: string;
}

/** The message a mailbox URL names: a kept one (`?id=`), a template's sample (`?preview=`), or null. */
export async function selectedMessage(params: MailboxParams): Promise<ShownMessage | null> {
  const { id, preview } = params;
  if (typeof preview === "string" && isEmailTemplateName(preview)) {
    const template = EMAIL_TEMPLATES[preview];
    const result = template.render(template.preview);
    return result.ok ? { to: "preview@example.test", ...result.email } : null;
  }
  if (typeof id === "string" && idSchema.safeParse(id).success) return findMailboxMessage(id);
  return null;
}

/** The part of a mailbox URL that names its message (`id` or `preview`), to carry over to the other views of it. */
export function messageQuery(params: MailboxParams): Record<string, string> {
  if (typeof params.preview === "string") return { preview: params.preview };
  if (typeof params.id === "string") return { id: params.id };
  return {};
}
