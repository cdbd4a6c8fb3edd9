import { z } from "zod";

// Bounded building blocks for template data: every value a template shows has
// a maximum length, so no caller can queue an unbounded message.

export const nameField = z.string().trim().min(1).max(100);
export const shortField = z.string().trim().min(1).max(200);
export const addressField = z.string().trim().max(254).pipe(z.email());
export const linkField = z
  .string()
  .max(2048)
  .pipe(z.url({ protocol: /^https?$/ }));
export const timeField = z.date();
