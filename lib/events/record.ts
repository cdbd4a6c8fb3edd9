import "server-only";
import { actorOf, type Principal } from "../auth/principal";
import { db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { execute } from "../db/sql";
import type { RequestInfo } from "../http/request-info";
import { projectionsOf } from "./projections";
import { INSERT_EVENTS } from "./sql";
import { outcomeOf, type EventActor, type SecurityEventInput } from "./types";
import { ulid, ulidToUuid } from "./ulid";

// recordEvent: the one way a change records what it did (DESIGN.md section 11).
//
// Inside a change's transaction (opened with `withEvents`), events are held
// and written together as the transaction's last statement (./sql.ts): the
// org's event counter is locked only from there to the commit, so logins and
// changes of one org queue behind each other for one statement at most, and
// other orgs never. A transaction that rolls back writes nothing and takes no
// sequence number. Outside a transaction an event is its own statement.

/** Who did it, when no Principal did (a login before its session, a link from an email). */
export interface EventOrigin {
  orgId: string;
  /** SELF: the event's target user acted on their own account (logging in, following a link mailed to them). */
  actor: EventActor | typeof SELF;
  request: RequestInfo | null;
}

export const SELF = "self";

export type EventBy = Principal | EventOrigin;

/** The transaction of a change, as `withEvents` opened it. */
export type EventTx = Prisma.TransactionClient;

/** One event as the statement that writes it reads it (a row of jsonb_to_recordset, see ./sql.ts). */
export interface EventRow {
  ord: number;
  id: string;
  rowId: string;
  orgId: string;
  type: string;
  outcome: string;
  actorKind: string;
  actorId: string | null;
  actorName: string | null;
  targetUserId?: string;
  targetUserName?: string;
  targetUsername?: string;
  targetCredentialId?: string;
  targetCredentialName?: string;
  targetCredentialAaguid?: string;
  targetCredentialModelVerified?: boolean;
  field?: string;
  oldValue?: string | null;
  newValue?: string | null;
  ip: string | null;
  userAgent: string | null;
  data: Record<string, unknown>;
  createdAt: string;
  audit?: object;
  verification?: object;
  login?: object;
}

const held = new WeakMap<object, EventRow[]>();

function originOf(by: EventBy): EventOrigin {
  return "actor" in by ? by : { orgId: by.orgId, actor: actorOf(by), request: by.request };
}

/** The row that writes `event`: its target, its type's data, and the rows the history pages show for it. */
export function eventRow(by: EventBy, event: SecurityEventInput, ord = 0): EventRow {
  const origin = originOf(by);
  const at = event.at ?? new Date();
  const id = ulid(at);
  const { request } = origin;
  const user = "user" in event ? event.user : undefined;
  if (origin.actor === SELF && !user) throw new Error(`recordEvent: ${event.type} has no user to act as`);
  // A user acting on themself whose name the caller does not have is named from their row as the event is written (./sql.ts).
  const actor = origin.actor === SELF ? { kind: "user" as const, id: user!.id, name: user!.name ?? null } : origin.actor;
  const credential = "credential" in event ? event.credential : undefined;
  const setting = event.type === "settings.updated" ? event.setting : undefined;
  const data: Record<string, unknown> = "data" in event ? { ...event.data } : {};
  if (event.type === "org.created") Object.assign(data, event.org);
  const projections = projectionsOf(actor.name, request, event);
  return {
    ord,
    id,
    rowId: ulidToUuid(id),
    orgId: origin.orgId,
    type: event.type,
    outcome: outcomeOf(event.type),
    actorKind: actor.kind,
    actorId: actor.id,
    actorName: actor.name,
    targetUserId: user?.id,
    targetUserName: user?.name,
    targetUsername: user?.username,
    targetCredentialId: credential?.id,
    targetCredentialName: credential?.name,
    targetCredentialAaguid: credential?.aaguid,
    targetCredentialModelVerified: credential?.modelVerified,
    field: setting?.field,
    oldValue: setting?.old,
    newValue: setting?.new,
    ip: request?.ip ?? null,
    userAgent: request?.userAgent ?? null,
    data,
    createdAt: at.toISOString(),
    ...projections,
  };
}

/**
 * Records one event of a change. Pass the change's transaction (from
 * `withEvents`); without one the event is written at once, on its own.
 * Returns the event's id (a ULID).
 */
export async function recordEvent(by: EventBy, event: SecurityEventInput, tx?: EventTx): Promise<{ id: string }> {
  if (!tx) {
    const row = eventRow(by, event);
    await writeEvents([row]);
    return { id: row.id };
  }
  const rows = held.get(tx);
  if (!rows) throw new Error("recordEvent: the transaction was not opened with withEvents, so its events would never be written");
  const row = eventRow(by, event, rows.length);
  rows.push(row);
  return { id: row.id };
}

/** A change's transaction whose events (recordEvent) are written as its last statement. */
export function withEvents<T>(
  work: (tx: EventTx) => Promise<T>,
  options?: { maxWait?: number; timeout?: number; isolationLevel?: Prisma.TransactionIsolationLevel },
): Promise<T> {
  return db().$transaction(async (tx) => {
    const rows: EventRow[] = [];
    held.set(tx, rows);
    const result = await work(tx);
    if (rows.length > 0) await execute(INSERT_EVENTS, [JSON.stringify(rows)], tx);
    return result;
  }, options);
}

async function writeEvents(rows: EventRow[]): Promise<void> {
  await execute(INSERT_EVENTS, [JSON.stringify(rows)]);
}
