import { proveMailbox, stepUp } from "@/lib/auth/freshness";
import type { OrgContext } from "@/lib/auth/org-context";

/**
 * What the registration entry points (a key's options and verify, an app's
 * first step) earn before they call their service: the mailbox proof while a
 * first factor is enrolled, then a fresh "verify it's you". Tests that call
 * those services directly stand in for the entry point with this.
 */
export async function registering<C extends OrgContext>(ctx: C, now = new Date()) {
  return stepUp(await proveMailbox(ctx), now);
}
