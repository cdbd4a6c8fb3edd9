import { z } from "zod";
import { madeFromFields, madeFromRows, nameField } from "./fields";
import { defineEmailTemplate } from "./template";

// A user whose role requires a security key logged in with a recovery code or
// an admin's temporary code instead (break-glass, DESIGN.md section 14): the
// user and every admin of their org are told, each time.

const breakGlassFields = {
  name: nameField,
  orgName: nameField,
  // "recovery code" or "temporary code": as the sentence says it.
  method: nameField,
  ...madeFromFields,
};

/** To the user who logged in. */
export const roleRequirementBreakGlassEmail = defineEmailTemplate({
  name: "role-requirement-break-glass",
  category: "alert",
  label: "Logged in without a security key",
  schema: z.object(breakGlassFields),
  subject: (d) => `You logged in to Gatehouse with a ${d.method} instead of your security key`,
  body: (d) => [
    { type: "heading", text: "You logged in without your security key" },
    {
      type: "paragraph",
      text: `Hi ${d.name}, ${d.orgName} requires a security key for your role, and someone just logged in to your account with a ${d.method} instead. Your ${d.orgName} admins were told too.`,
    },
    { type: "facts", rows: madeFromRows(d) },
    {
      type: "paragraph",
      text: "If it was you, register a new security key in Advanced User Details as soon as you can. If it wasn't you, tell your Gatehouse admin at once: someone has your password and a code.",
    },
  ],
  preview: {
    name: "Grace Hopper",
    orgName: "Acme",
    method: "recovery code",
    at: new Date("2026-12-01T09:30:00Z"),
    ip: "203.0.113.7",
    browser: "Chrome 156 on Linux",
  },
});

/** To each active admin of the user's org. */
export const roleRequirementBreakGlassAdminEmail = defineEmailTemplate({
  name: "role-requirement-break-glass-admin",
  category: "alert",
  label: "Logged in without a security key (admins)",
  schema: z.object({
    ...breakGlassFields,
    username: z.string().max(254),
    userName: nameField,
    manageLink: z
      .string()
      .max(2048)
      .pipe(z.url({ protocol: /^https?$/ })),
  }),
  subject: (d) => `${d.username} logged in with a ${d.method} instead of a security key`,
  body: (d) => [
    { type: "heading", text: "A login without a security key" },
    {
      type: "paragraph",
      text: `Hi ${d.name}, ${d.userName} (${d.username}) must use a security key in ${d.orgName}, and just logged in with a ${d.method} instead (break-glass).`,
    },
    { type: "facts", rows: madeFromRows(d) },
    { type: "paragraph", text: "Check with the user that it was them. Until they register a security key again, they can only register one." },
    { type: "button", label: `Review ${d.userName}'s account`, url: d.manageLink },
  ],
  preview: {
    name: "Ada Lovelace",
    orgName: "Acme",
    method: "recovery code",
    at: new Date("2026-12-01T09:30:00Z"),
    ip: "203.0.113.7",
    browser: "Chrome 156 on Linux",
    username: "grace@acme.test",
    userName: "Grace Hopper",
    manageLink: "http://localhost:3000/setup/users/00000000-0000-4000-8000-000000000000",
  },
});
