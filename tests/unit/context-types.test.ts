import { describe, expect, it } from "vitest";
import type { AdminContext, OrgContext, PendingLoginSubject } from "@/lib/auth/org-context";
import { addUser, endOwnSession, setUserRole } from "@/lib/users/mutations";
import { listUsers } from "@/lib/users/queries";
import { saveSessionSettings } from "@/lib/policy/mutations";
import { issueTemporaryCode, consumeTemporaryCode } from "@/lib/verification/temporary-codes";
import { removeUserKey, renameOwnKey } from "@/lib/webauthn/keys";
import { revokeUserDevice } from "@/lib/auth/devices";
import { userMethods } from "@/lib/verification/methods";
import { listAuditEvents } from "@/lib/audit/queries";

// Type-level tests: `npm test` runs `tsc --noEmit` over this file, and each
// `@ts-expect-error` fails the typecheck if the line below it compiles. The
// function is never called; it exists to be compiled.
function typeChecks(ctx: OrgContext, admin: AdminContext, pending: PendingLoginSubject) {
  const plain = { orgId: ctx.orgId, userId: ctx.userId };

  // @ts-expect-error a standard user's OrgContext is not an AdminContext: admin services reject it
  void addUser(ctx, { name: "x", username: "x@x.test", email: "x@x.test", role: "STANDARD" });
  // @ts-expect-error admin-only service
  void setUserRole(ctx, ctx.userId, "ADMIN");
  // @ts-expect-error admin-only service
  void listUsers(ctx, { q: "", page: 1 });
  // @ts-expect-error admin-only service
  void saveSessionSettings(ctx, {} as Parameters<typeof saveSessionSettings>[1]);
  // @ts-expect-error admin-only service
  void issueTemporaryCode(ctx, ctx.userId, 1);
  // @ts-expect-error admin-only service
  void removeUserKey(ctx, ctx.userId, "key", "lost");
  // @ts-expect-error admin-only service
  void revokeUserDevice(ctx, ctx.userId, "device");
  // @ts-expect-error admin-only service
  void listAuditEvents(ctx, { from: null, to: null, page: 1 });

  // @ts-expect-error no service accepts a raw { orgId, userId } object
  void renameOwnKey(plain, "key", "name");
  // @ts-expect-error no service accepts a raw { orgId, userId } object
  void userMethods(plain);
  // @ts-expect-error no service accepts a raw { orgId, userId } object
  void consumeTemporaryCode(plain, "code");
  // @ts-expect-error an org id string is not a context
  void endOwnSession(ctx.orgId, "session");
  // @ts-expect-error a context cannot be built from an object literal: the brand is missing
  const forged: OrgContext = { ...plain, kind: "session" };

  // What must compile: an admin context is an OrgContext, and each subject reaches its own services.
  void renameOwnKey(admin, "key", "name");
  void addUser(admin, { name: "x", username: "x@x.test", email: "x@x.test", role: "STANDARD" });
  void userMethods(pending);
  void consumeTemporaryCode(pending, "code");
  return forged;
}

describe("contexts in service signatures", () => {
  it("are checked by the typecheck (tsc --noEmit compiles this file's @ts-expect-error lines)", () => {
    expect(typeof typeChecks).toBe("function");
  });
});
