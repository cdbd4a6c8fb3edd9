-- CreateTable
CREATE TABLE "OrgUserCount" (
    "orgId" UUID NOT NULL,
    "role" "Role" NOT NULL,
    "users" INTEGER NOT NULL DEFAULT 0,
    "activeUsers" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "OrgUserCount_pkey" PRIMARY KEY ("orgId","role")
);

-- AddForeignKey
ALTER TABLE "OrgUserCount" ADD CONSTRAINT "OrgUserCount_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Org"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Kept by triggers on "User", so every writer counts (the app, the CLI, plain
-- SQL such as the bench's generate_series). Inserts and deletes: statement-level,
-- each statement adding its net change per org and role from its transition
-- table, so a bulk insert costs one upsert per org and role, not one per row.
-- Updates: row-level, and only for an update that sets "orgId", "role" or
-- "isActive" to a different value, so the login path's updates of "User" (a
-- failure counter, a rehashed password) fire nothing; a statement-level update
-- trigger would run, transition tables and all, on every one of them, even
-- when it updates no row.
-- The counter rows are locked in (orgId, role) order, so two statements
-- touching the same rows wait for each other instead of deadlocking. A delete
-- whose org is gone (the org's own deletion cascading) has no row to update.
CREATE FUNCTION "org_user_counts_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "OrgUserCount" AS c ("orgId", "role", "users", "activeUsers")
    SELECT "orgId", "role", count(*), count(*) FILTER (WHERE "isActive")
      FROM new_users GROUP BY "orgId", "role" ORDER BY "orgId", "role"
    ON CONFLICT ("orgId", "role") DO UPDATE
      SET "users" = c."users" + EXCLUDED."users", "activeUsers" = c."activeUsers" + EXCLUDED."activeUsers";
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "OrgUserCount" AS c ("orgId", "role", "users", "activeUsers")
    SELECT d."orgId", d."role", -count(*), -count(*) FILTER (WHERE d."isActive")
      FROM old_users d WHERE EXISTS (SELECT 1 FROM "Org" o WHERE o."id" = d."orgId")
      GROUP BY d."orgId", d."role" ORDER BY d."orgId", d."role"
    ON CONFLICT ("orgId", "role") DO UPDATE
      SET "users" = c."users" + EXCLUDED."users", "activeUsers" = c."activeUsers" + EXCLUDED."activeUsers";
  ELSE -- TRUNCATE
    DELETE FROM "OrgUserCount";
  END IF;
  RETURN NULL;
END $$;

-- One user's move: out of its old (org, role, status), into its new one.
CREATE FUNCTION "org_user_counts_move"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "OrgUserCount" AS c ("orgId", "role", "users", "activeUsers")
  SELECT v."orgId", v."role", sum(v.n), sum(v.active)
    FROM (VALUES (OLD."orgId", OLD."role", -1, -(OLD."isActive")::int), (NEW."orgId", NEW."role", 1, (NEW."isActive")::int))
         AS v ("orgId", "role", n, active)
   GROUP BY v."orgId", v."role"
  HAVING sum(v.n) <> 0 OR sum(v.active) <> 0
   ORDER BY v."orgId", v."role"
  ON CONFLICT ("orgId", "role") DO UPDATE
    SET "users" = c."users" + EXCLUDED."users", "activeUsers" = c."activeUsers" + EXCLUDED."activeUsers";
  RETURN NULL;
END $$;

CREATE TRIGGER "User_counts_insert" AFTER INSERT ON "User"
  REFERENCING NEW TABLE AS new_users FOR EACH STATEMENT EXECUTE FUNCTION "org_user_counts_apply"();
CREATE TRIGGER "User_counts_update" AFTER UPDATE OF "orgId", "role", "isActive" ON "User"
  FOR EACH ROW WHEN (OLD."orgId" IS DISTINCT FROM NEW."orgId" OR OLD."role" IS DISTINCT FROM NEW."role" OR OLD."isActive" IS DISTINCT FROM NEW."isActive")
  EXECUTE FUNCTION "org_user_counts_move"();
CREATE TRIGGER "User_counts_delete" AFTER DELETE ON "User"
  REFERENCING OLD TABLE AS old_users FOR EACH STATEMENT EXECUTE FUNCTION "org_user_counts_apply"();
CREATE TRIGGER "User_counts_truncate" AFTER TRUNCATE ON "User"
  FOR EACH STATEMENT EXECUTE FUNCTION "org_user_counts_apply"();

-- Backfill, after the triggers: creating them locked "User" against writes
-- until this migration commits, so no write falls between the two.
INSERT INTO "OrgUserCount" ("orgId", "role", "users", "activeUsers")
SELECT "orgId", "role", count(*), count(*) FILTER (WHERE "isActive") FROM "User" GROUP BY "orgId", "role";
