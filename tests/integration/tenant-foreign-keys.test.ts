import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import { useTestDatabase } from "../support/database";
import { createOrg, createUser } from "../support/factories";

// Child rows carry both orgId and userId. Composite foreign keys
// (userId, orgId) → User(id, orgId) make the database itself refuse a row
// whose user belongs to another org, whatever the code above it does.

const database = useTestDatabase();

/**
 * The columns of one child row: `userId` is the user reference under test,
 * `adminId` an admin of `orgId`'s org for any other user reference the row needs.
 */
interface Ids {
  orgId: string;
  userId: string;
  adminId: string;
}

interface Case {
  table: Prisma.ModelName;
  /** The user reference under test, and the composite foreign key that guards it. */
  column: string;
  constraint: string;
  insert(ids: Ids): Promise<unknown>;
}

const token = () => crypto.randomBytes(16).toString("hex");
const inAnHour = () => new Date(Date.now() + 3_600_000);

const CASES: Case[] = [
  {
    table: "Session",
    column: "userId",
    constraint: "Session_userId_orgId_fkey",
    insert: ({ orgId, userId }) => db().session.create({ data: { orgId, userId, tokenHash: token() } }),
  },
  {
    table: "LoginAttempt",
    column: "userId",
    constraint: "LoginAttempt_userId_orgId_fkey",
    insert: ({ orgId, userId }) => db().loginAttempt.create({ data: { orgId, userId, username: `${token()}@fk.test`, result: "Success" } }),
  },
  {
    table: "InvitationToken",
    column: "userId",
    constraint: "InvitationToken_userId_orgId_fkey",
    insert: ({ orgId, userId }) => db().invitationToken.create({ data: { orgId, userId, tokenHash: token(), expiresAt: inAnHour() } }),
  },
  {
    table: "SecurityKey",
    column: "userId",
    constraint: "SecurityKey_userId_orgId_fkey",
    insert: ({ orgId, userId }) =>
      db().securityKey.create({
        data: {
          orgId,
          userId,
          credentialId: token(),
          publicKey: token(),
          transports: ["usb"],
          aaguid: "00000000-0000-0000-0000-000000000000",
          attestationFormat: "none",
          attestation: "none",
          name: "Test key",
        },
      }),
  },
  {
    table: "WebAuthnChallenge",
    column: "userId",
    constraint: "WebAuthnChallenge_userId_orgId_fkey",
    insert: ({ orgId, userId }) =>
      db().webAuthnChallenge.create({
        data: { orgId, userId, challenge: token(), purpose: "register", sessionId: crypto.randomUUID(), expiresAt: inAnHour() },
      }),
  },
  {
    table: "VerificationEvent",
    column: "userId",
    constraint: "VerificationEvent_userId_orgId_fkey",
    insert: ({ orgId, userId }) => db().verificationEvent.create({ data: { orgId, userId, method: "Security key", activity: "Login", result: "Succeeded" } }),
  },
  {
    table: "PendingLogin",
    column: "userId",
    constraint: "PendingLogin_userId_orgId_fkey",
    insert: ({ orgId, userId }) =>
      db().pendingLogin.create({ data: { orgId, userId, tokenHash: token(), needsSecondFactor: true, needsDeviceActivation: false, expiresAt: inAnHour() } }),
  },
  {
    table: "ActivatedDevice",
    column: "userId",
    constraint: "ActivatedDevice_userId_orgId_fkey",
    insert: ({ orgId, userId }) => db().activatedDevice.create({ data: { orgId, userId, tokenHash: token() } }),
  },
  {
    table: "RecoveryCode",
    column: "userId",
    constraint: "RecoveryCode_userId_orgId_fkey",
    insert: ({ orgId, userId }) => db().recoveryCode.create({ data: { orgId, userId, codeHash: token() } }),
  },
  {
    table: "TemporaryCode",
    column: "userId",
    constraint: "TemporaryCode_userId_orgId_fkey",
    insert: ({ orgId, userId, adminId }) =>
      db().temporaryCode.create({ data: { orgId, userId, issuedById: adminId, codeHash: token(), expiresAt: inAnHour() } }),
  },
  {
    // The admin who issued the code must be of the code's org too.
    table: "TemporaryCode",
    column: "issuedById",
    constraint: "TemporaryCode_issuedById_orgId_fkey",
    insert: ({ orgId, userId, adminId }) =>
      db().temporaryCode.create({ data: { orgId, userId: adminId, issuedById: userId, codeHash: token(), expiresAt: inAnHour() } }),
  },
  {
    table: "AuthenticatorApp",
    column: "userId",
    constraint: "AuthenticatorApp_userId_orgId_fkey",
    insert: ({ orgId, userId }) => db().authenticatorApp.create({ data: { orgId, userId, secretSealed: token() } }),
  },
  {
    table: "CompromiseReport",
    column: "userId",
    constraint: "CompromiseReport_userId_orgId_fkey",
    insert: ({ orgId, userId }) =>
      db().compromiseReport.create({
        data: { orgId, userId, tokenHash: token(), event: "security-key-registered", summary: "A key was registered.", expiresAt: inAnHour() },
      }),
  },
  {
    table: "RequirementReminder",
    column: "userId",
    constraint: "RequirementReminder_userId_orgId_fkey",
    insert: ({ orgId, userId }) => db().requirementReminder.create({ data: { orgId, userId, requiredFrom: new Date("2030-01-01T00:00:00Z"), daysBefore: 7 } }),
  },
  {
    // The admin who created an API token: a token of org B can never name a user of org A as its creator.
    table: "ApiToken",
    column: "createdById",
    constraint: "ApiToken_createdById_orgId_fkey",
    insert: ({ orgId, userId }) =>
      db().apiToken.create({
        data: {
          orgId,
          createdById: userId,
          name: "fk",
          secretHash: token(),
          displayPrefix: "gatehouse_pat_fk",
          scopes: [],
          createdByName: "FK",
          expiresAt: inAnHour(),
        },
      }),
  },
];

/**
 * The foreign key a write was refused on, or undefined when it failed for
 * another reason. Through adapter-pg Prisma reports P2003 with the driver's
 * error in `meta`; through the PGlite adapter the failure arrives as a
 * DriverAdapterError whose cause carries PostgreSQL's SQLSTATE 23503.
 */
function violatedForeignKey(error: unknown): string | undefined {
  type DriverCause = { code?: string; message?: string; originalCode?: string; originalMessage?: string; constraint?: { index?: string } };
  const { code, meta, cause } = (error ?? {}) as { code?: string; meta?: { driverAdapterError?: { cause?: DriverCause } }; cause?: DriverCause };
  const driver = code === "P2003" ? (meta?.driverAdapterError?.cause ?? {}) : cause;
  if (!driver || (code !== "P2003" && driver.code !== "23503")) return undefined;
  const named = /violates foreign key constraint "([^"]+)"/.exec(driver.originalMessage ?? driver.message ?? "")?.[1];
  return driver.constraint?.index ?? named ?? "(unnamed)";
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => expect.fail(`expected the insert to be refused, it stored ${JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? `${v}` : v))}`),
    (error: unknown) => error,
  );
}

/** Models with both a userId and an orgId column, from the generated client's DMMF. */
function modelsWithUserAndOrg(): string[] {
  const namespace = Prisma as unknown as Record<string, Record<string, string> | undefined>;
  return Object.values(Prisma.ModelName)
    .filter((model) => {
      const fields = namespace[`${model}ScalarFieldEnum`];
      if (!fields) throw new Error(`no ${model}ScalarFieldEnum in the generated client`);
      return "userId" in fields && "orgId" in fields;
    })
    .sort();
}

interface ForeignKeyRow {
  table: string;
  name: string;
  columns: string[];
  referencedColumns: string[];
  matchType: string;
}

/** Every foreign key into "User", as the database has them. */
async function foreignKeysIntoUser(): Promise<ForeignKeyRow[]> {
  return database.current().raw.query<ForeignKeyRow>(`
    SELECT t.relname AS "table", c.conname AS "name",
           array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(num, pos)
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.num ORDER BY k.pos) AS "columns",
           array(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY AS k(num, pos)
                 JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.num ORDER BY k.pos) AS "referencedColumns",
           c.confmatchtype::text AS "matchType"
    FROM pg_constraint c
    JOIN pg_class t ON t.oid = c.conrelid
    JOIN pg_class r ON r.oid = c.confrelid
    JOIN pg_namespace n ON n.oid = r.relnamespace
    WHERE c.contype = 'f' AND r.relname = 'User' AND n.nspname = current_schema()
    ORDER BY 1, 2`);
}

let orgA: Awaited<ReturnType<typeof createOrg>>;
let orgB: Awaited<ReturnType<typeof createOrg>>;
let userA: string;

beforeAll(async () => {
  orgA = await createOrg("Alpha");
  orgB = await createOrg("Bravo");
  ({ userId: userA } = await createUser(orgA.admin));
});

describe("composite tenant foreign keys", () => {
  it("cover every model that has both userId and orgId", () => {
    const covered = new Set(CASES.map((c) => c.table));
    // Every such model has a case; so do other user references (an issuer, a creator), which the next test finds in the database.
    expect(modelsWithUserAndOrg().filter((model) => !covered.has(model as Prisma.ModelName))).toEqual([]);
  });

  it("exist in the migrated database: every foreign key into User from a table with orgId is (…, orgId) → (id, orgId)", async () => {
    const keys = await foreignKeysIntoUser();
    const tablesWithOrg = new Set(
      (
        await database
          .current()
          .raw.query<{ table: string }>(
            `SELECT table_name AS "table" FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'orgId'`,
          )
      ).map((row) => row.table),
    );
    const intoUserFromOrgTables = keys.filter((key) => tablesWithOrg.has(key.table));
    expect(intoUserFromOrgTables.map((key) => key.name).sort()).toEqual(CASES.map((c) => c.constraint).sort());
    for (const key of intoUserFromOrgTables) {
      const expected = CASES.find((c) => c.constraint === key.name)!;
      expect(key, key.name).toMatchObject({ table: expected.table, columns: [expected.column, "orgId"], referencedColumns: ["id", "orgId"], matchType: "s" });
    }
  });

  describe.each(CASES.map((c) => [`${c.table}.${c.column}`, c] as const))("%s", (_label, c) => {
    it("refuses a user of org A with orgId of org B: foreign key violation", async () => {
      const error = await failureOf(c.insert({ orgId: orgB.orgId, userId: userA, adminId: orgB.adminId }));
      expect(violatedForeignKey(error), String(error)).toBe(c.constraint);
      const model = (db() as unknown as Record<string, { count(args: object): Promise<number> }>)[c.table[0]!.toLowerCase() + c.table.slice(1)]!;
      expect(await model.count({ where: { orgId: orgB.orgId, [c.column]: userA } })).toBe(0);
    });

    it("stores a user of org A with orgId of org A", async () => {
      await expect(c.insert({ orgId: orgA.orgId, userId: userA, adminId: orgA.adminId })).resolves.toMatchObject({ orgId: orgA.orgId, [c.column]: userA });
    });
  });

  it("a login attempt without a user (unknown username) is recorded: a null userId is not checked", async () => {
    await expect(db().loginAttempt.create({ data: { username: "nobody@fk.test", result: "Invalid password" } })).resolves.toMatchObject({
      userId: null,
      orgId: null,
    });
    await expect(db().loginAttempt.create({ data: { orgId: orgB.orgId, username: "old@fk.test", result: "Success" } })).resolves.toMatchObject({
      userId: null,
    });
  });
});
