import crypto from "node:crypto";
import { db } from "../../lib/db/client";
import { formatDateTime } from "../../lib/format";
import { createOrgWithAdmin } from "../../lib/orgs/mutations";
import { createSetPasswordLink } from "../../lib/users/invitations";
import { signupSchema } from "../../lib/validation/account";
import { usageError } from "../errors";
import { printJson, type CliIo } from "../io";
import { openOperatorDatabase } from "./database";
import { cliErrorOf } from "./service-errors";
import { parseOptions } from "./validate";

// `gatehouse org:create`: an org and its first admin, as sign-up creates them
// (the operator vouches for the admin's email), and a set-password link for
// the operator to hand over, as user:recover hands one over. Until the admin
// follows it they have no password anyone knows.

const FIELDS = { orgName: "--name", slug: "--slug", name: "--admin-name", email: "--admin-email" };
const orgSchema = signupSchema.pick({ orgName: true, slug: true, name: true, email: true });

export interface OrgCreateOptions {
  name: string;
  slug?: string;
  adminEmail: string;
  adminName: string;
  json?: boolean;
}

/** A URL name from the org's name: "Acme Corp." → "acme-corp". */
export function slugFromName(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, 40)
    .replace(/^-+|-+$/g, "");
}

export async function orgCreate(options: OrgCreateOptions, io: CliIo): Promise<void> {
  const slug = options.slug ?? slugFromName(options.name);
  if (!options.slug && slug.length < 2) throw usageError(`--slug: "${options.name}" gives no URL name; pass one, e.g. --slug acme.`);
  const input = parseOptions(orgSchema, { orgName: options.name, slug, name: options.adminName, email: options.adminEmail }, FIELDS);
  await openOperatorDatabase();
  // Nobody ever learns this password: the admin chooses theirs through the link below.
  const password = crypto.randomBytes(32).toString("base64url");
  let created;
  try {
    created = await createOrgWithAdmin({ ...input, password }, "Command line: org:create");
  } catch (error) {
    throw cliErrorOf(error, FIELDS);
  }
  const { link, expiresAt } = await db().$transaction((tx) =>
    createSetPasswordLink(tx, { id: created.userId, orgId: created.orgId }, "invitation", new Date()),
  );
  if (options.json) {
    return printJson(io, {
      orgId: created.orgId,
      slug: input.slug,
      name: input.orgName,
      admin: { userId: created.userId, username: created.username },
      setPasswordLink: link,
      setPasswordLinkExpiresAt: expiresAt.toISOString(),
    });
  }
  io.out(`Created the org ${input.orgName} (slug: ${input.slug}) with ${created.username} as its admin.\n`);
  io.out(`Set-password link for ${created.username} (works once, until ${formatDateTime(expiresAt)}): ${link}\n`);
  io.out("Give it to them yourself: it was not emailed.\n");
}
