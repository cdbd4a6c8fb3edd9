-- CreateIndex
CREATE INDEX "User_orgId_role_name_id_idx" ON "User"("orgId", "role", "name", "id");
