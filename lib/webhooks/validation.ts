import { z } from "zod";
import { SECURITY_EVENT_TYPES, type SecurityEventType } from "../events/types";

// The Event Streams forms' input, shared by the page's actions and their services.

const eventTypeSchema = z.enum(SECURITY_EVENT_TYPES.filter((t) => t !== "legacy.audit") as [SecurityEventType, ...SecurityEventType[]]);

/** Checkboxes: one ticked (a string) or several (an array); none is refused. Every one ticked means all types, also those added later. */
const eventTypesSchema = z
  .union([z.array(eventTypeSchema), eventTypeSchema, z.undefined()])
  .transform((value) => (value === undefined ? [] : Array.isArray(value) ? [...new Set(value)].sort() : [value]))
  .refine((types) => types.length > 0, "Tick at least one event type.");

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
