import { z } from "zod";
import { formatDay } from "../lib/validation/dates";
import { linkField, nameField } from "./fields";
import { defineEmailTemplate } from "./template";

// A week and a day before a role's "Security key only" takes effect, each user
// of that role who has no key the org accepts is reminded (once each:
// RequirementReminder).

export const roleRequirementReminderEmail = defineEmailTemplate({
  name: "role-requirement-reminder",
  category: "notice",
  label: "Security key required soon",
  schema: z.object({
    name: nameField,
    orgName: nameField,
    requiredFrom: z.date(),
    daysLeft: z.number().int().min(1).max(7),
    manageLink: linkField,
  }),
  subject: (d) => `Register a security key: ${d.orgName} requires one from ${formatDay(d.requiredFrom)}`,
  body: (d) => [
    { type: "heading", text: `A security key is required in ${d.daysLeft} day${d.daysLeft === 1 ? "" : "s"}` },
    {
      type: "paragraph",
      text: `Hi ${d.name}, from ${formatDay(d.requiredFrom)} (UTC) ${d.orgName} requires a security key for your role, and you have none your org accepts yet. From that day you log in with a security key; without one, you can only register one before doing anything else.`,
    },
    { type: "button", label: "Register a security key", url: d.manageLink },
  ],
  preview: {
    name: "Grace Hopper",
    orgName: "Acme",
    requiredFrom: new Date("2026-12-08T00:00:00Z"),
    daysLeft: 7,
    manageLink: "http://localhost:3000/settings/advanced",
  },
});
