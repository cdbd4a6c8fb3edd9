-- AlterEnum
ALTER TYPE "EmailState" ADD VALUE 'FOLDED';

-- AlterTable
ALTER TABLE "EmailMessage" ADD COLUMN     "digestId" UUID;

-- CreateIndex
CREATE INDEX "EmailMessage_digestId_idx" ON "EmailMessage"("digestId");
