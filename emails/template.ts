import type { z } from "zod";
import { layoutHtml, layoutText, type EmailBlock } from "./layout";

/**
 * One notification. `schema` bounds every value the template interpolates
 * (lengths, URL shapes), so bad data is refused before anything is queued;
 * `preview` is sample data for /dev/mailbox and the template tests.
 */
export interface EmailTemplateSpec<S extends z.ZodType, N extends string> {
  /** Stored in EmailMessage.template; never change it once mail was sent. */
  name: N;
  /** What the Email Log calls it. */
  label: string;
  schema: S;
  subject(data: z.output<S>): string;
  /**
   * Set when the body carries a secret (a link or code) valid this long: the
   * stored body is blanked once the message is delivered by SMTP, or once the
   * secret has expired, so the outbox never keeps it readable.
   */
  secretValidForMs?: number;
  /**
   * "code": a one-time code someone is waiting for; "alert": a security alert
   * (never refused by a quota: refusing it would undo the change it reports);
   * "notice": everything else. Codes and alerts are delivered first.
   */
  category: "code" | "alert" | "notice";
  body(data: z.output<S>): EmailBlock[];
  preview: z.input<S>;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export type RenderResult = { ok: true; email: RenderedEmail } | { ok: false; fields: string[] };

export interface EmailTemplate<S extends z.ZodType = z.ZodType, N extends string = string> extends EmailTemplateSpec<S, N> {
  /** Subject, plain text and HTML from one source; names the invalid fields (never their values) when data is out of bounds. */
  render(input: unknown): RenderResult;
}

export function defineEmailTemplate<S extends z.ZodType, const N extends string>(spec: EmailTemplateSpec<S, N>): EmailTemplate<S, N> {
  return {
    ...spec,
    render(input) {
      const parsed = spec.schema.safeParse(input);
      if (!parsed.success) return { ok: false, fields: parsed.error.issues.map((i) => i.path.join(".") || "data") };
      // Header values stay on one line whatever the data holds.
      const subject = spec.subject(parsed.data).replace(/\s+/g, " ").trim();
      const blocks = spec.body(parsed.data);
      return { ok: true, email: { subject, text: layoutText(blocks), html: layoutHtml(subject, blocks) } };
    },
  };
}
