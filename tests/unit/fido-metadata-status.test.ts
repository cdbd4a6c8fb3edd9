import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { FidoMetadataStatus } from "@/app/(app)/setup/fido-metadata-status";

// Setup home's line about the FIDO MDS BLOB: what an admin reads.

const text = (status: Parameters<typeof FidoMetadataStatus>[0]["status"]) =>
  renderToStaticMarkup(createElement(FidoMetadataStatus, { status }))
    .replace(/<[^>]+>/g, "")
    .replace(/&#x27;|&rsquo;|’/g, "'");

describe("FidoMetadataStatus", () => {
  it("names the BLOB and its next update", () => {
    expect(text({ serial: 123, nextUpdate: "2027-01-01", entries: 10, stale: false })).toBe("FIDO metadata: BLOB no. 123, next update 1 Jan 2027.");
  });

  it("warns once the BLOB is past its next update", () => {
    const html = renderToStaticMarkup(createElement(FidoMetadataStatus, { status: { serial: 7, nextUpdate: "2026-11-01", entries: 1, stale: true } }));
    expect(html).toContain('role="status"');
    expect(text({ serial: 7, nextUpdate: "2026-11-01", entries: 1, stale: true })).toMatch(
      /^FIDO metadata: BLOB no\. 7 is past its next update \(1 Nov 2026\).*Run npm run mds:update/,
    );
  });

  it("says what verification uses without a file, and how to add one", () => {
    expect(text(null)).toBe(
      "No FIDO metadata file: keys' models are verified against the bundled vendor roots only. Run npm run mds:update to add the FIDO Alliance's metadata.",
    );
  });
});
