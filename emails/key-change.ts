import { z } from "zod";
import { linkField, madeFromFields, madeFromRows, nameField, shortField } from "./fields";
import type { EmailBlock } from "./layout";

// What every "a security key was added/removed" email says about the change.

export const keyChangeFields = {
  name: nameField,
  orgName: nameField,
  keyName: z.string().trim().min(1).max(64),
  model: shortField,
  ...madeFromFields,
  manageLink: linkField,
};

export type KeyChangeData = { keyName: string; model: string; at: Date; ip: string | null; browser: string };

export function keyChangeFacts(d: KeyChangeData): EmailBlock {
  return {
    type: "facts",
    rows: [{ label: "Key name", value: d.keyName }, { label: "Model", value: d.model }, ...madeFromRows(d)],
  };
}

export const keyChangePreview = {
  name: "Grace Hopper",
  orgName: "Acme",
  keyName: "YubiKey 5 NFC",
  model: "YubiKey 5 Series with NFC",
  at: new Date("2026-11-23T09:30:00Z"),
  ip: "203.0.113.7",
  browser: "Chrome 156 on Linux",
  manageLink: "http://localhost:3000/settings/advanced",
};
