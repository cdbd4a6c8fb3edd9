-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "enrolmentCodeAttempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "enrolmentCodeExpiresAt" TIMESTAMP(3),
ADD COLUMN     "enrolmentCodeHash" TEXT,
ADD COLUMN     "mailboxProvedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "EmailMessage" ADD COLUMN     "priority" INTEGER NOT NULL DEFAULT 1,
ALTER COLUMN "orgId" DROP NOT NULL;

-- CreateTable
CREATE TABLE "PendingSignup" (
    "id" UUID NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "orgName" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "codeHash" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "ip" TEXT,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "completedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PendingSignup_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "PendingSignup_tokenHash_key" ON "PendingSignup"("tokenHash");

-- CreateIndex
CREATE INDEX "PendingSignup_email_idx" ON "PendingSignup"("email");

-- CreateIndex
CREATE INDEX "PendingSignup_expiresAt_idx" ON "PendingSignup"("expiresAt");
