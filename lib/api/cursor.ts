import "server-only";
import { z } from "zod";
import { ApiProblem } from "./problem";

// The one cursor codec of the Admin API (list reads now, the events API next):
// an opaque base64url string holding a versioned JSON tuple [version, kind,
// ...position]. It is a position, not a credential: every read is scoped by
// the caller's org whatever the cursor says, so it needs no signature, only
// validation. A cursor of another list (kind), of another version, or tampered
// with is a 400 problem, never a 500 or a silent restart.

const CURSOR_VERSION = 1;
const MAX_CURSOR_LENGTH = 512;

export const cursorParam = z
  .string()
  .max(MAX_CURSOR_LENGTH)
  .regex(/^[A-Za-z0-9_-]+$/)
  .meta({ description: "Opaque: the `nextCursor` of the previous page. Omit it for the first page." });

/** A codec for one list's positions: `position` (a tuple) validates what decoding yields. */
export interface CursorCodec<S extends z.ZodTuple> {
  encode(position: z.input<S>): string;
  /** The position, or an ApiProblem("invalid-cursor") for anything this codec did not write. */
  decode(cursor: string): z.output<S>;
}

const invalidCursor = () =>
  new ApiProblem("invalid-cursor", "The cursor is not one this list returned. Start again without it.", [
    { field: "cursor", message: "Not a cursor of this list." },
  ]);

export function cursorCodec<S extends z.ZodTuple>(kind: string, position: S): CursorCodec<S> {
  const envelope = z.tuple([z.literal(CURSOR_VERSION), z.literal(kind)]).rest(z.unknown());
  return {
    encode: (value) => Buffer.from(JSON.stringify([CURSOR_VERSION, kind, ...(value as unknown[])]), "utf8").toString("base64url"),
    decode(cursor) {
      if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor();
      let json: unknown;
      try {
        json = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
      } catch {
        throw invalidCursor();
      }
      const outer = envelope.safeParse(json);
      if (!outer.success) throw invalidCursor();
      const parsed = position.safeParse(outer.data.slice(2));
      if (!parsed.success) throw invalidCursor();
      return parsed.data;
    },
  };
}

const isoInstant = z.iso.datetime({ offset: false }).transform((s) => new Date(s));

/** A position as (the last row's time, its unique tie-breaker: an id, or a sequence number in decimal), for lists ordered by time. */
export function instantCursorCodec(kind: string, tieBreaker: z.ZodType<string, string> = z.string().min(1).max(64)) {
  const codec = cursorCodec(kind, z.tuple([isoInstant, tieBreaker]));
  return {
    encode: (at: Date, tie: string) => codec.encode([at.toISOString(), tie]),
    decode: (cursor: string): { at: Date; tie: string } => {
      const [at, tie] = codec.decode(cursor);
      return { at, tie };
    },
  };
}

/** `limit`: rows per page, 1–200 (default 50). */
export const limitParam = z
  .string()
  .regex(/^\d{1,3}$/, "Give a whole number from 1 to 200.")
  .transform(Number)
  .pipe(z.number().int().min(1, "Give a whole number from 1 to 200.").max(200, "Give a whole number from 1 to 200."))
  .optional()
  .meta({ description: "Rows per page, 1 to 200 (default 50)." });

export const DEFAULT_LIMIT = 50;

/** One page of a list: the rows and the cursor of the next page (null on the last one). */
export function pageOf<T, R>(rows: T[], limit: number, cursorOf: (last: T) => string, render: (row: T) => R): { items: R[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  return { items: shown.map(render), nextCursor: more ? cursorOf(shown.at(-1)!) : null };
}

/** A page's schema: `items` of `item`, and `nextCursor`. */
export function pageSchema<S extends z.ZodType>(item: S, id: string) {
  return z
    .object({
      items: z.array(item),
      nextCursor: z.string().nullable().meta({ description: "Pass as `cursor` for the next page; null on the last page." }),
    })
    .meta({ id });
}
