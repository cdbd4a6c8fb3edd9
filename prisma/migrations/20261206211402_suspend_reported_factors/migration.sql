-- AlterTable
ALTER TABLE "User" ADD COLUMN     "adminRecoveryRequiredAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "SecurityKey" ADD COLUMN     "suspendedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "RecoveryCode" ADD COLUMN     "suspendedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "AuthenticatorApp" ADD COLUMN     "suspendedAt" TIMESTAMP(3);
