-- CreateEnum
CREATE TYPE "UserVerification" AS ENUM ('DISCOURAGED', 'PREFERRED', 'REQUIRED');

-- CreateEnum
CREATE TYPE "AuthenticatorType" AS ENUM ('SECURITY_KEYS_ONLY', 'SECURITY_KEYS_AND_PASSKEYS');

-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN     "seq" BIGSERIAL NOT NULL;

-- CreateTable
CREATE TABLE "OrgSettings" (
    "orgId" UUID NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "allowSecurityKeys" BOOLEAN NOT NULL DEFAULT false,
    "requireMfa" BOOLEAN NOT NULL DEFAULT false,
    "mfaRequiredFrom" DATE,
    "allowTotp" BOOLEAN NOT NULL DEFAULT true,
    "requireDeviceActivation" BOOLEAN NOT NULL DEFAULT true,
    "reauthWindowMinutes" INTEGER NOT NULL DEFAULT 10,
    "userVerification" "UserVerification" NOT NULL DEFAULT 'DISCOURAGED',
    "authenticatorType" "AuthenticatorType" NOT NULL DEFAULT 'SECURITY_KEYS_ONLY',
    "allowedAaguids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "blockedAaguids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "sessionTimeoutMinutes" INTEGER NOT NULL DEFAULT 120,
    "lockSessionsToIp" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "updatedById" UUID,

    CONSTRAINT "OrgSettings_pkey" PRIMARY KEY ("orgId")
);

-- AddForeignKey
ALTER TABLE "OrgSettings" ADD CONSTRAINT "OrgSettings_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Org"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Move each org's idle timeout into its settings (one source of truth), then drop the old column.
INSERT INTO "OrgSettings" ("orgId", "sessionTimeoutMinutes", "updatedAt")
SELECT "id", "sessionTimeoutMinutes", CURRENT_TIMESTAMP FROM "Org" WHERE "sessionTimeoutMinutes" <> 120;

-- AlterTable
ALTER TABLE "Org" DROP COLUMN "sessionTimeoutMinutes";
