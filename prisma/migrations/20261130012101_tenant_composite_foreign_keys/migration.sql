-- A child row's (userId, orgId) must be its user's: composite foreign keys to
-- User(id, orgId). Adding them fails (and the whole migration rolls back) if
-- existing rows disagree; find those before deploying.

-- DropForeignKey
ALTER TABLE "Session" DROP CONSTRAINT "Session_userId_fkey";

-- DropForeignKey
ALTER TABLE "InvitationToken" DROP CONSTRAINT "InvitationToken_userId_fkey";

-- DropForeignKey
ALTER TABLE "SecurityKey" DROP CONSTRAINT "SecurityKey_userId_fkey";

-- DropForeignKey
ALTER TABLE "PendingLogin" DROP CONSTRAINT "PendingLogin_userId_fkey";

-- DropForeignKey
ALTER TABLE "ActivatedDevice" DROP CONSTRAINT "ActivatedDevice_userId_fkey";

-- DropForeignKey
ALTER TABLE "RecoveryCode" DROP CONSTRAINT "RecoveryCode_userId_fkey";

-- DropForeignKey
ALTER TABLE "TemporaryCode" DROP CONSTRAINT "TemporaryCode_userId_fkey";

-- DropForeignKey
ALTER TABLE "AuthenticatorApp" DROP CONSTRAINT "AuthenticatorApp_userId_fkey";

-- CreateIndex
CREATE UNIQUE INDEX "User_id_orgId_key" ON "User"("id", "orgId");

-- CreateIndex
CREATE UNIQUE INDEX "AuthenticatorApp_userId_orgId_key" ON "AuthenticatorApp"("userId", "orgId");

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_userId_orgId_fkey" FOREIGN KEY ("userId", "orgId") REFERENCES "User"("id", "orgId") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LoginAttempt" ADD CONSTRAINT "LoginAttempt_userId_orgId_fkey" FOREIGN KEY ("userId", "orgId") REFERENCES "User"("id", "orgId") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InvitationToken" ADD CONSTRAINT "InvitationToken_userId_orgId_fkey" FOREIGN KEY ("userId", "orgId") REFERENCES "User"("id", "orgId") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SecurityKey" ADD CONSTRAINT "SecurityKey_userId_orgId_fkey" FOREIGN KEY ("userId", "orgId") REFERENCES "User"("id", "orgId") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebAuthnChallenge" ADD CONSTRAINT "WebAuthnChallenge_userId_orgId_fkey" FOREIGN KEY ("userId", "orgId") REFERENCES "User"("id", "orgId") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VerificationEvent" ADD CONSTRAINT "VerificationEvent_userId_orgId_fkey" FOREIGN KEY ("userId", "orgId") REFERENCES "User"("id", "orgId") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PendingLogin" ADD CONSTRAINT "PendingLogin_userId_orgId_fkey" FOREIGN KEY ("userId", "orgId") REFERENCES "User"("id", "orgId") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ActivatedDevice" ADD CONSTRAINT "ActivatedDevice_userId_orgId_fkey" FOREIGN KEY ("userId", "orgId") REFERENCES "User"("id", "orgId") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RecoveryCode" ADD CONSTRAINT "RecoveryCode_userId_orgId_fkey" FOREIGN KEY ("userId", "orgId") REFERENCES "User"("id", "orgId") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TemporaryCode" ADD CONSTRAINT "TemporaryCode_userId_orgId_fkey" FOREIGN KEY ("userId", "orgId") REFERENCES "User"("id", "orgId") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TemporaryCode" ADD CONSTRAINT "TemporaryCode_issuedById_orgId_fkey" FOREIGN KEY ("issuedById", "orgId") REFERENCES "User"("id", "orgId") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuthenticatorApp" ADD CONSTRAINT "AuthenticatorApp_userId_orgId_fkey" FOREIGN KEY ("userId", "orgId") REFERENCES "User"("id", "orgId") ON DELETE CASCADE ON UPDATE CASCADE;
