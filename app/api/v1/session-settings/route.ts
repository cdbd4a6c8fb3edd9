import { apiRoute } from "@/lib/api/route";
import {
  applySessionSettings,
  currentSettings,
  documentOf,
  etagHeaders,
  etagOf,
  ifMatchHeader,
  sessionSettingsDocument,
  sessionSettingsPatch,
  settingsPreviewSchema,
  settingsWriteResultSchema,
  writeQuery,
} from "@/lib/api/session-settings";
import type { TokenPrincipal } from "@/lib/auth/principal";

const TAGS = ["Session Settings"];
const WRITE_RESPONSE = {
  status: 200,
  description:
    "Written (with `?dry_run=true`: nothing written, and the body is a SessionSettingsPreview of the changes and warnings). ETag is the new version.",
  schema: settingsWriteResultSchema.or(settingsPreviewSchema),
  headers: etagHeaders,
};
const WRITE_DESCRIPTION =
  "Needs If-Match with the ETag of a read (428 without, 412 when someone saved since). Each changed field is one Setup Audit Trail row with the token as actor. The warnings are those the page shows before saving.";

export const GET = apiRoute({
  method: "GET",
  path: "/api/v1/session-settings",
  operationId: "getSessionSettings",
  summary: "Read the org's Session Settings",
  tags: TAGS,
  permission: "setup:read",
  response: { status: 200, description: "The settings; ETag is their version.", schema: sessionSettingsDocument, headers: etagHeaders },
  handler: async ({ principal }) => {
    const policy = await currentSettings(principal);
    return { body: documentOf(policy), headers: { ETag: etagOf(policy.version) } };
  },
});

async function write(principal: TokenPrincipal, input: Parameters<typeof applySessionSettings>[1], request: Request, dryRun: boolean) {
  const outcome = await applySessionSettings(principal, input, { ifMatch: request.headers.get("if-match"), dryRun });
  const headers = { ETag: etagOf(outcome.version) };
  return outcome.preview ? { body: outcome.preview, headers } : { body: outcome.result!, headers };
}

export const PUT = apiRoute({
  method: "PUT",
  path: "/api/v1/session-settings",
  operationId: "replaceSessionSettings",
  summary: "Replace the org's Session Settings",
  description: `Every field is required: a file exported before a setting existed does not silently reset it (400 names each missing field). ${WRITE_DESCRIPTION}`,
  tags: TAGS,
  permission: ["settings:write", "setup:read"],
  query: writeQuery,
  body: sessionSettingsDocument,
  requestHeaders: ifMatchHeader,
  response: WRITE_RESPONSE,
  problems: ["precondition-failed", "precondition-required"],
  handler: ({ principal, body, query, request }) => write(principal, body, request, query.dry_run === "true"),
});

export const PATCH = apiRoute({
  method: "PATCH",
  path: "/api/v1/session-settings",
  operationId: "updateSessionSettings",
  summary: "Change some of the org's Session Settings",
  description: `Only the fields given change. ${WRITE_DESCRIPTION}`,
  tags: TAGS,
  permission: ["settings:write", "setup:read"],
  query: writeQuery,
  body: sessionSettingsPatch,
  requestHeaders: ifMatchHeader,
  response: WRITE_RESPONSE,
  problems: ["precondition-failed", "precondition-required"],
  handler: ({ principal, body, query, request }) => write(principal, body, request, query.dry_run === "true"),
});
