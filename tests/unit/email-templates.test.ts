import { describe, expect, it } from "vitest";
import { EMAIL_TEMPLATES, emailTemplateLabel } from "@/emails";
import { escapeHtml } from "@/emails/layout";

const templates = Object.values(EMAIL_TEMPLATES);

describe.each(templates)("the $name template", (template) => {
  it("renders its preview data as a subject, a plain-text part and an HTML part in the shared layout", () => {
    const result = template.render(template.preview);
    if (!result.ok) throw new Error(`preview data is invalid: ${result.fields.join(", ")}`);
    const { subject, text, html } = result.email;
    expect(subject).toMatch(/\S/);
    expect(subject).not.toMatch(/[\r\n]/);
    expect(text).not.toMatch(/<[a-z][^>]*>/i);
    expect(text).toContain("Sent by Gatehouse");
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain(`<title>${escapeHtml(subject)}</title>`);
    expect(html).toContain("Sent by Gatehouse");
  });

  it("escapes every interpolated value in the HTML and keeps it verbatim in the text", () => {
    const hostile = `<img src=x onerror="alert(1)"> & 'quotes'`;
    const data: Record<string, unknown> = { ...template.preview };
    for (const [key, value] of Object.entries(data)) {
      // Links, addresses and numeric codes have strict formats that refuse such text outright.
      if (typeof value === "string" && !/^https?:/.test(value) && !value.includes("@") && !/^\d+$/.test(value)) data[key] = hostile;
    }
    const result = template.render(data);
    if (!result.ok) throw new Error(`hostile data refused: ${result.fields.join(", ")}`);
    expect(result.email.html).not.toContain("<img");
    expect(result.email.html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &#39;quotes&#39;");
    expect(result.email.text).toContain(hostile);
  });

  it.runIf("ip" in template.preview)("names the loopback address as localhost, as the pages do", () => {
    const result = template.render({ ...template.preview, ip: "::1" });
    if (!result.ok) throw new Error(`refused: ${result.fields.join(", ")}`);
    expect(result.email.text).toContain("localhost (::1)");
  });

  it("refuses data out of bounds, naming the field", () => {
    const firstString = Object.entries(template.preview).find(([, v]) => typeof v === "string" && !/^https?:/.test(v))!;
    const result = template.render({ ...template.preview, [firstString[0]]: "x".repeat(10_000) });
    expect(result).toEqual({ ok: false, fields: [firstString[0]] });
  });

  it("has a label for the Email Log", () => {
    expect(emailTemplateLabel(template.name)).toBe(template.label);
  });
});

it("refuses links that are not http(s)", () => {
  const template = EMAIL_TEMPLATES["set-password"];
  for (const link of ["javascript:alert(1)", "data:text/html,hi", "/relative", "ftp://x.test/"]) {
    expect(template.render({ ...template.preview, link })).toMatchObject({ ok: false, fields: ["link"] });
  }
});

it("quotes the contract's subjects exactly", () => {
  const subject = (name: keyof typeof EMAIL_TEMPLATES) => {
    const result = EMAIL_TEMPLATES[name].render(EMAIL_TEMPLATES[name].preview);
    return result.ok ? result.email.subject : null;
  };
  expect(subject("set-password")).toBe("Set your password");
  expect(subject("security-key-registered")).toBe("A security key was registered to your Gatehouse account");
});
