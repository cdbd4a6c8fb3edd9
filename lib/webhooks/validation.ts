import { z } from "zod";
import { SECURITY_EVENT_TYPES, type SecurityEventType } from "../events/types";

// The Event Streams forms' input, shared by the page's actions and their services.

const eventTypeSchema = z.enum(SECURITY_EVENT_TYPES.filter((t) => t !== "legacy.audit") as [SecurityEventType, ...SecurityEventType[]]);

/** Checkboxes: none ticked, one (a string) or several (an array). None ticked or every one ticked: all types. */
const eventTypesSchema = z
  .union([z.array(eventTypeSchema), eventTypeSchema, z.undefined()])
  .transform((value) => (value === undefined ? [] : Array.isArray(value) ? [...new Set(value)].sort() : [value]));

export const endpointIdSchema = z.object({ endpointId: z.uuid() });

export const createEndpointSchema = z.object({
  url: z.string().trim().min(1, "Enter the endpoint's URL.").max(2048, "The URL is too long."),
  description: z.string().trim().max(200, "At most 200 characters.").default(""),
  eventTypes: eventTypesSchema,
});

export const updateEndpointSchema = z.object({
  endpointId: z.uuid(),
  description: z.string().trim().max(200, "At most 200 characters.").default(""),
  eventTypes: eventTypesSchema,
});

export const replayEndpointSchema = z.object({
  endpointId: z.uuid(),
  from: z.iso.datetime({ offset: true, message: "Choose a date and time." }).transform((value) => new Date(value)),
});

export type CreateEndpointInput = z.infer<typeof createEndpointSchema>;
export type UpdateEndpointInput = z.infer<typeof updateEndpointSchema>;
