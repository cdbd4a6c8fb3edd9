-- AlterTable
ALTER TABLE "InvitationToken" ADD COLUMN     "purpose" TEXT NOT NULL DEFAULT 'invitation';

-- CreateTable
CREATE TABLE "CompromiseReport" (
    "id" UUID NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "orgId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "emailMessageId" UUID,
    "event" TEXT NOT NULL,
    "subjectId" UUID,
    "summary" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "confirmedAt" TIMESTAMP(3),
    "confirmedIp" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CompromiseReport_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "CompromiseReport_tokenHash_key" ON "CompromiseReport"("tokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "CompromiseReport_emailMessageId_key" ON "CompromiseReport"("emailMessageId");

-- CreateIndex
CREATE INDEX "CompromiseReport_userId_idx" ON "CompromiseReport"("userId");

-- CreateIndex
CREATE INDEX "CompromiseReport_orgId_idx" ON "CompromiseReport"("orgId");

-- AddForeignKey
ALTER TABLE "CompromiseReport" ADD CONSTRAINT "CompromiseReport_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Org"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CompromiseReport" ADD CONSTRAINT "CompromiseReport_userId_orgId_fkey" FOREIGN KEY ("userId", "orgId") REFERENCES "User"("id", "orgId") ON DELETE CASCADE ON UPDATE CASCADE;
