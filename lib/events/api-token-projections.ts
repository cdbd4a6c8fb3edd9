import "server-only";
import { formatDate } from "../format";
import type { ApiTokenRevocationReason } from "./types";
import type { ProjectorTable } from "./projection-rows";

// The Admin API's tokens (DESIGN.md section 12): rows of the Setup Audit Trail.

export const API_TOKENS = "API Tokens";

const REVOKED_BECAUSE: Record<ApiTokenRevocationReason, string> = {
  revoked: "Revoked",
  "creator-contained": "Revoked: its creator reported “This wasn't me”",
  "creator-password-reset": "Revoked: an admin reset its creator's password",
  "creator-deactivated": "Revoked: its creator was deactivated",
  "creator-demoted": "Revoked: its creator is no longer an admin",
};

export const apiTokenProjectors = {
  "api_token.created": (event) => {
    const { data } = event;
    return {
      audit: {
        action: "Created API token",
        section: API_TOKENS,
        newValue: `“${data.name}” (${data.displayPrefix}…): ${data.scopes.join(", ")}; expires ${formatDate(data.expiresAt)}`,
      },
    };
  },
  "api_token.revoked": (event) => ({
    audit: {
      action: "Revoked API token",
      section: API_TOKENS,
      ...(event.user ? { targetId: event.user.id } : {}),
      oldValue: `“${event.data.name}”`,
      newValue: REVOKED_BECAUSE[event.data.reason],
    },
  }),
  "api_token.scope_denied": (event, { request }) => ({
    audit: {
      action: "API token refused: scope missing",
      section: API_TOKENS,
      field: "Scope",
      newValue: `“${event.data.name}” lacks ${event.data.permission} (request from ${request?.ip ?? "an unknown IP"})`,
    },
  }),
} satisfies Partial<ProjectorTable>;
