import { describe, expect, it } from "vitest";
import type { MailboxProved, SteppedUp } from "@/lib/auth/freshness";
import type { AdminContext, OrgContext, PendingLoginSubject } from "@/lib/auth/org-context";
import type { TokenPrincipal } from "@/lib/auth/principal";
import { changeOwnPassword } from "@/lib/users/password-changes";
import { startKeyRegistration } from "@/lib/webauthn/registration";
import { addUser, endOwnSession, setUserRole } from "@/lib/users/mutations";
import { listUsers } from "@/lib/users/queries";
import { saveSessionSettings } from "@/lib/policy/mutations";
import { issueTemporaryCode, consumeTemporaryCode } from "@/lib/verification/temporary-codes";
import { removeUserKey, renameOwnKey } from "@/lib/webauthn/keys";
import { revokeUserDevice } from "@/lib/auth/login/devices";
import { userMethods } from "@/lib/verification/methods";
import { listAuditEvents } from "@/lib/audit/queries";

// Type-level tests: `npm test` runs `tsc --noEmit` over this file, and each
// `@ts-expect-error` fails the typecheck if the line below it compiles. The
// function is never called; it exists to be compiled.
function typeChecks(
  ctx: OrgContext,
  admin: AdminContext,
  pending: PendingLoginSubject,
  fresh: SteppedUp,
  registering: MailboxProved<SteppedUp>,
  token: TokenPrincipal,
) {
  const plain = { orgId: ctx.orgId, userId: ctx.userId };

  // Who may call an admin service is a permission, checked at run time for every kind of caller (session,
  // API token, system): tests/integration/permissions.test.ts. What the types prove is the step-up: a
  // sensitive change takes a context its entry point stepped up (or a token or the system), never a bare session.
  // @ts-expect-error a session that did not step up cannot change Session Settings
  void saveSessionSettings(admin, {} as Parameters<typeof saveSessionSettings>[1]);
  // @ts-expect-error not stepped up
  void setUserRole(admin, ctx.userId, "ADMIN");
  // @ts-expect-error not stepped up
  void issueTemporaryCode(admin, ctx.userId, 1);
  // @ts-expect-error not stepped up
  void removeUserKey(admin, ctx.userId, "key", "lost");
  // @ts-expect-error registering a key needs the mailbox proof and the step-up
  void startKeyRegistration(ctx);
  // @ts-expect-error a step-up alone is not the mailbox proof
  void startKeyRegistration(fresh);
  // @ts-expect-error an API token has no account of its own: it cannot change a password
  void changeOwnPassword(token, "new password 123");
  void revokeUserDevice(ctx, ctx.userId, "device");
  void listUsers(ctx, { q: "", page: 1 });
  void listAuditEvents(token, { from: null, to: null, page: 1 });
  void removeUserKey(token, ctx.userId, "key", "lost");
  void startKeyRegistration(registering);

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
