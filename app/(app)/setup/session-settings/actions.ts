"use server";

import { revalidatePath } from "next/cache";
import { orgAction } from "@/lib/auth/action";
import { saveSessionSettings } from "@/lib/policy/mutations";
import { sessionSettingsSchema } from "@/lib/validation/session-settings";

export const saveSessionSettingsAction = orgAction({ role: "ADMIN", schema: sessionSettingsSchema }, async (ctx, input) => {
  const outcome = await saveSessionSettings(ctx, input);
  revalidatePath("/setup/session-settings");
  revalidatePath("/setup/audit-trail");
  return outcome;
});
