import { formatDateTime } from "../../lib/format";

// The Admin API's list items shown as table cells. Tables are for people;
// scripts use --json, which prints the items exactly as the server sent them.

export type Item = Record<string, unknown>;

/** The first of `keys` the item has (not null), as text. */
export function text(item: Item, ...keys: string[]): string {
  for (const key of keys) {
    const value = item[key];
    if (value === undefined || value === null || value === "") continue;
    if (typeof value === "object") {
      const named = value as Item;
      return text(named, "username", "name", "label", "id") || JSON.stringify(value);
    }
    return String(value);
  }
  return "";
}

/** A time field as the pages show it ("23 Nov 2026, 08:01 UTC"), or "" (or `none`). */
export function time(item: Item, keys: string[], none = ""): string {
  const value = text(item, ...keys);
  if (!value) return none;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : formatDateTime(date);
}

export function yesNo(value: unknown, yes: string, no: string): string {
  if (value === undefined || value === null) return "";
  return value ? yes : no;
}
