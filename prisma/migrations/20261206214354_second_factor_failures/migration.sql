-- AlterTable
ALTER TABLE "User" ADD COLUMN     "secondFactorFailures" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "PendingLogin" ADD COLUMN     "fromKnownDevice" BOOLEAN NOT NULL DEFAULT false;
