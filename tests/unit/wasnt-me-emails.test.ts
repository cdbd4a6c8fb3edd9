import { expect, it } from "vitest";
import { EMAIL_TEMPLATES } from "@/emails";
import { WASNT_ME_PREVIEW_LINK } from "@/emails/wasnt-me";
import { WASNT_ME_TEMPLATES } from "@/lib/users/wasnt-me-links";

it.each(WASNT_ME_TEMPLATES)("the %s email carries the This wasn't me link and refuses to render without it", (name) => {
  const template = EMAIL_TEMPLATES[name];
  const rendered = template.render(template.preview);
  expect(rendered.ok).toBe(true);
  if (!rendered.ok) return;
  expect(rendered.email.text).toContain(`This wasn't me:\n${WASNT_ME_PREVIEW_LINK}`);
  expect(rendered.email.html).toContain(`href="${WASNT_ME_PREVIEW_LINK}"`);
  // Blanked after delivery like any secret, and never kept longer than the link lives.
  expect(template.secretValidForMs).toBeGreaterThan(0);
  const withoutLink: Record<string, unknown> = { ...template.preview };
  delete withoutLink.wasntMeLink;
  expect(template.render(withoutLink)).toEqual({ ok: false, fields: ["wasntMeLink"] });
});

it("no email that tells its reader to change their password lacks the link", () => {
  for (const [name, template] of Object.entries(EMAIL_TEMPLATES)) {
    const rendered = template.render(template.preview);
    if (!rendered.ok) throw new Error(name);
    if (/change (it|your password)/i.test(rendered.email.text)) expect(WASNT_ME_TEMPLATES, name).toContain(name);
  }
});
