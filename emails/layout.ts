// The one branded layout every notification shares. A template describes its
// body as blocks; this file turns the same blocks into HTML and plain text, so
// the two parts can never say different things.

/** A piece of HTML that is already escaped. Only this file creates them. */
class SafeHtml {
  constructor(readonly value: string) {}
  toString() {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

/**
 * Tagged template that escapes every interpolated value unless it is SafeHtml
 * made by this tag; arrays are joined. Forgetting to escape is not possible.
 */
function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? "");
  });
  return new SafeHtml(out);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join("");
  if (value === null || value === undefined || value === false) return "";
  return escapeHtml(String(value));
}

export type EmailBlock =
  | { type: "heading"; text: string }
  | { type: "paragraph"; text: string }
  | { type: "button"; label: string; url: string }
  | { type: "facts"; rows: { label: string; value: string }[] }
  | { type: "note"; text: string };

/** Links go out only as absolute http(s) URLs: no javascript:, data: or relative surprises. */
function checkedUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw new Error("Email links must be http(s) URLs.");
  return parsed.toString();
}

const BRAND = "#2a56d9";
const TEXT = "#0f172a";
const MUTED = "#64748b";
const FONT = "ui-sans-serif,system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif";

function blockHtml(block: EmailBlock): SafeHtml {
  switch (block.type) {
    case "heading":
      return html`<h1 style="margin:0 0 16px;font-size:20px;line-height:28px;font-weight:600;color:${TEXT}">${block.text}</h1>`;
    case "paragraph":
      return html`<p style="margin:0 0 16px;font-size:15px;line-height:24px;color:${TEXT}">${block.text}</p>`;
    case "button":
      return html`<p style="margin:24px 0">
          <a
            href="${checkedUrl(block.url)}"
            style="display:inline-block;background:${BRAND};color:#ffffff;text-decoration:none;font-weight:600;font-size:15px;padding:12px 20px;border-radius:8px"
            >${block.label}</a
          >
        </p>
        <p style="margin:0 0 16px;font-size:13px;line-height:20px;color:${MUTED}">
          Or paste this link into your browser:<br /><a href="${checkedUrl(block.url)}" style="color:${BRAND};word-break:break-all">${checkedUrl(block.url)}</a>
        </p>`;
    case "facts":
      return html`<table
        role="presentation"
        cellpadding="0"
        cellspacing="0"
        style="width:100%;margin:0 0 16px;border-collapse:collapse;font-size:14px;line-height:20px"
      >
        ${block.rows.map(
          (row) =>
            html`<tr>
              <td style="padding:8px 12px 8px 0;border-top:1px solid #e2e8f0;color:${MUTED};width:35%;vertical-align:top">${row.label}</td>
              <td style="padding:8px 0;border-top:1px solid #e2e8f0;color:${TEXT};vertical-align:top">${row.value}</td>
            </tr>`,
        )}
      </table>`;
    case "note":
      return html`<p style="margin:0 0 16px;font-size:13px;line-height:20px;color:${MUTED}">${block.text}</p>`;
  }
}

function blockText(block: EmailBlock): string {
  switch (block.type) {
    case "heading":
      return `${block.text}\n${"=".repeat(Math.min(block.text.length, 72))}`;
    case "paragraph":
    case "note":
      return block.text;
    case "button":
      return `${block.label}:\n${checkedUrl(block.url)}`;
    case "facts":
      return block.rows.map((row) => `${row.label}: ${row.value}`).join("\n");
  }
}

const FOOTER = "Sent by Gatehouse, your org's identity verification service. This is an automated message; replies are not read.";

export function layoutHtml(subject: string, blocks: EmailBlock[]): string {
  const preheader = blocks.find((b) => b.type === "paragraph");
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${subject}</title>
      </head>
      <body style="margin:0;padding:0;background:#f1f5f9;font-family:${FONT}">
        <div style="display:none;max-height:0;overflow:hidden">${preheader?.type === "paragraph" ? preheader.text : ""}</div>
        <table role="presentation" cellpadding="0" cellspacing="0" style="width:100%;background:#f1f5f9;padding:32px 16px">
          <tr>
            <td align="center">
              <table role="presentation" cellpadding="0" cellspacing="0" style="width:100%;max-width:560px">
                <tr>
                  <td style="padding:0 0 16px;font-size:16px;font-weight:600;color:${TEXT}">
                    <span
                      style="display:inline-block;width:28px;height:28px;line-height:28px;text-align:center;border-radius:6px;background:${BRAND};color:#ffffff;font-size:14px;margin-right:8px"
                      >G</span
                    >Gatehouse
                  </td>
                </tr>
                <tr>
                  <td style="background:#ffffff;border:1px solid #e2e8f0;border-radius:12px;padding:32px">${blocks.map(blockHtml)}</td>
                </tr>
                <tr>
                  <td style="padding:16px 4px;font-size:12px;line-height:18px;color:${MUTED}">${FOOTER}</td>
                </tr>
              </table>
            </td>
          </tr>
        </table>
      </body>
    </html>`.value;
}

export function layoutText(blocks: EmailBlock[]): string {
  return `${blocks.map(blockText).join("\n\n")}\n\n--\n${FOOTER}\n`;
}
