import { recordAudit } from "../audit/mutations";
import { hashPassword } from "../auth/password";
import { db } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import { UserFacingError } from "../errors";
import type { SignupInput } from "../validation/account";

export const SLUG_TAKEN = "This URL name is taken. Try another.";
export const USERNAME_TAKEN = "This email is already a Gatehouse username. Sign in, or use another email.";

/** "Create your org": the org and its first admin, whose username is their email. */
export async function createOrgWithAdmin(input: SignupInput): Promise<{ orgId: string; userId: string; username: string }> {
  const username = input.email.toLowerCase();
  const [slugTaken, usernameTaken] = await Promise.all([
    db().org.findUnique({ where: { slug: input.slug }, select: { id: true } }),
    db().user.findUnique({ where: { username }, select: { id: true } }),
  ]);
  const fieldErrors: Record<string, string> = {};
  if (slugTaken) fieldErrors.slug = SLUG_TAKEN;
  if (usernameTaken) fieldErrors.email = USERNAME_TAKEN;
  if (Object.keys(fieldErrors).length) throw new UserFacingError("Check the highlighted fields.", fieldErrors);

  const passwordHash = await hashPassword(input.password);
  try {
    return await db().$transaction(async (tx) => {
      const org = await tx.org.create({ data: { slug: input.slug, name: input.orgName } });
      const user = await tx.user.create({
        data: { orgId: org.id, username, email: input.email, name: input.name, role: "ADMIN", passwordHash },
      });
      await recordAudit(
        { orgId: org.id, actor: { id: user.id, name: user.name }, action: "Created org", section: "Org", newValue: `${org.name} (${org.slug})` },
        tx,
      );
      return { orgId: org.id, userId: user.id, username };
    });
  } catch (error) {
    // Two sign-ups racing for one slug or username: the loser gets the field error.
    if (isUniqueViolation(error, "slug")) throw new UserFacingError("Check the highlighted fields.", { slug: SLUG_TAKEN });
    if (isUniqueViolation(error, "username")) throw new UserFacingError("Check the highlighted fields.", { email: USERNAME_TAKEN });
    throw error;
  }
}
