import { apiDocumentRoute } from "@/lib/api/document-route";
import * as auditTrail from "../audit-trail/route";
import * as events from "../events/route";
import * as loginHistory from "../login-history/route";
import * as sessionSettings from "../session-settings/route";
import * as users from "../users/route";
import * as user from "../users/[id]/route";
import * as deactivate from "../users/[id]/deactivate/route";
import * as endSessions from "../users/[id]/end-sessions/route";
import * as keys from "../users/[id]/keys/route";
import * as key from "../users/[id]/keys/[keyId]/route";
import * as reactivate from "../users/[id]/reactivate/route";
import * as resetPassword from "../users/[id]/reset-password/route";
import * as temporaryCodes from "../users/[id]/temporary-codes/route";
import * as verificationHistory from "../verification-history/route";

// Every route module under app/api/v1: the document describes what they export
// (tests/integration/admin-api.test.ts fails when a route is missing here).
export const GET = apiDocumentRoute([
  sessionSettings,
  users,
  user,
  deactivate,
  reactivate,
  resetPassword,
  endSessions,
  keys,
  key,
  temporaryCodes,
  loginHistory,
  verificationHistory,
  events,
  auditTrail,
]);
