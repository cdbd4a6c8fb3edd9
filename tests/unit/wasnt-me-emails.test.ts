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

// Issue 30 item 9: the link promises what it does. A change it can suspend says so; an email about something
// already gone (a removed key, a disconnected app, a changed password) says the link secures the account.
it.each([
  ["security-key-registered", "suspends this change"],
  ["authenticator-app-connected", "suspends this change"],
  ["recovery-codes-generated", "suspends this change"],
  ["security-key-removed", "secures your account"],
  ["authenticator-app-disconnected", "secures your account"],
  ["password-changed", "secures your account"],
  ["new-device-activated", "secures your account"],
] as const)("the %s email says the link %s", (name, promise) => {
  const template = EMAIL_TEMPLATES[name];
  const rendered = template.render(template.preview);
  if (!rendered.ok) throw new Error(name);
  expect(rendered.email.text).toContain(`It signs you out everywhere, ${promise} and tells your admins`);
});
