import { z } from "zod";
import { formatDateTime, formatIp } from "../lib/format";
import { nameField, shortField, timeField } from "./fields";
import type { EmailBlock } from "./layout";

// The shape every emailed 6-digit code shares (device activation, sign-up,
// the mailbox proof before MFA enrolment): who and which org, the code, when
// it expires and where the request came from. Each template keeps its own
// name, subject and wording.

export const CODE_VALID_FOR_MS = 10 * 60_000;

export const codeEmailSchema = z.object({
  name: nameField,
  orgName: nameField,
  code: z.string().regex(/^\d{6}$/),
  expiresAt: timeField,
  ip: z.string().max(64).nullable(),
  browser: shortField,
});

export type CodeEmailData = z.output<typeof codeEmailSchema>;

/** Heading, why the code was sent, the code itself, its facts, and what to do if it wasn't you. */
export function codeEmailBody(d: CodeEmailData, wording: { heading: string; intro: string; note: string }): EmailBlock[] {
  return [
    { type: "heading", text: wording.heading },
    { type: "paragraph", text: wording.intro },
    { type: "heading", text: d.code },
    {
      type: "facts",
      rows: [
        { label: "Code expires", value: formatDateTime(d.expiresAt) },
        { label: "IP address", value: formatIp(d.ip) },
        { label: "Browser", value: d.browser },
      ],
    },
    { type: "note", text: wording.note },
  ];
}

/** Sample data for /dev/mailbox and the template tests. */
export function codeEmailPreview(code: string): z.input<typeof codeEmailSchema> {
  return { name: "Grace Hopper", orgName: "Acme", code, expiresAt: new Date("2026-11-23T09:40:00Z"), ip: "203.0.113.7", browser: "Chrome 156 on Linux" };
}
