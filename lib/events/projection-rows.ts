import "server-only";
import type { LoginResult } from "../auth/login/login";
import type { RequestInfo } from "../http/request-info";
import type { VerificationActivity, VerificationMethod, VerificationResult } from "../verification/history";
import type { SecurityEventInput } from "./types";

// The shapes of the rows an event projects to, and of the projectors that make
// them (./projections.ts pairs each event type with one).

/** A Setup Audit Trail row's words. */
export interface AuditProjection {
  action: string;
  section: string;
  field?: string;
  oldValue?: string | null;
  newValue?: string | null;
  targetId?: string;
}

/** An Identity Verification History row's words (its user is the event's target user). */
export interface VerificationProjection {
  method: VerificationMethod;
  activity: VerificationActivity;
  result: VerificationResult;
  detail?: string;
}

/** A Login History row's result (its user and username are the event's target user). */
export interface LoginProjection {
  result: LoginResult;
}

export interface Projections {
  audit?: AuditProjection;
  verification?: VerificationProjection;
  login?: LoginProjection;
}

/** What some sentences name beyond the event: its actor, or its client's IP. */
export interface ProjectionContext {
  actorName: string | null;
  request: RequestInfo | null;
}

/** Every type a caller can record (legacy rows are migrated, never recorded). */
export type ProjectedEventType = SecurityEventInput["type"];

/**
 * The event of type T. Not `SecurityEventOf<T>`: that drops an input member shared by several types
 * (`user.deactivated | user.reactivated`) when T names only one of them.
 */
export type ProjectedEvent<T extends ProjectedEventType> = SecurityEventInput & { type: T };

export type Projector<T extends ProjectedEventType> = (event: ProjectedEvent<T>, context: ProjectionContext) => Projections;

/** One projector per event type: a type left out does not compile. */
export type ProjectorTable = { [T in ProjectedEventType]: Projector<T> };

/** The Setup Audit Trail's section for changes to a user. */
export const USERS = "Users";
