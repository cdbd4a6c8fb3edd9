-- DropIndex
DROP INDEX "User_orgId_idx";

-- CreateIndex
CREATE INDEX "User_orgId_name_id_idx" ON "User"("orgId", "name", "id");
