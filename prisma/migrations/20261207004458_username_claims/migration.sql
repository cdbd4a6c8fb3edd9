-- Usernames are unique within an org; across orgs only the claim a login follows is (issue 24 item 3).
-- DropIndex
DROP INDEX "User_username_key";

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "claimedUsername" TEXT,
ADD COLUMN     "usernameProvedAt" TIMESTAMP(3);

-- Every user who ever had a password keeps their name (usernames were unique across orgs until now, so no two
-- claims collide): one who can log in, and one an admin's reset or "This wasn't me" left without a password for
-- now (they logged in before: a session). One whose set-password link or sign-up code went to the username's own
-- address has proven it. An invitee who never set a password claims nothing yet.
UPDATE "User" u SET "claimedUsername" = u."username"
WHERE u."passwordHash" IS NOT NULL
   OR EXISTS (SELECT 1 FROM "Session" s WHERE s."userId" = u."id");
UPDATE "User" SET "usernameProvedAt" = "createdAt" WHERE "claimedUsername" IS NOT NULL AND lower(btrim("email")) = "username";

-- CreateIndex
CREATE UNIQUE INDEX "User_claimedUsername_key" ON "User"("claimedUsername");

-- CreateIndex
CREATE UNIQUE INDEX "User_orgId_username_key" ON "User"("orgId", "username");
