-- Usernames are unique within an org; across orgs only the claim a login follows is (issue 24 item 3).
-- DropIndex
DROP INDEX "User_username_key";

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "claimedUsername" TEXT,
ADD COLUMN     "usernameProvedAt" TIMESTAMP(3);

-- Every user who could log in keeps their name (usernames were unique across orgs until now); one whose
-- set-password link or sign-up code went to the username's own address has proven it.
UPDATE "User" SET "claimedUsername" = "username" WHERE "passwordHash" IS NOT NULL;
UPDATE "User" SET "usernameProvedAt" = "createdAt" WHERE "passwordHash" IS NOT NULL AND lower(btrim("email")) = "username";

-- CreateIndex
CREATE UNIQUE INDEX "User_claimedUsername_key" ON "User"("claimedUsername");

-- CreateIndex
CREATE UNIQUE INDEX "User_orgId_username_key" ON "User"("orgId", "username");
