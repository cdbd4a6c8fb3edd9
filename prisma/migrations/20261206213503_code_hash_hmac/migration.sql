-- DropIndex
DROP INDEX "RecoveryCode_codeHash_key";

-- DropIndex
DROP INDEX "RecoveryCode_userId_idx";

-- DropIndex
DROP INDEX "TemporaryCode_codeHash_key";

-- DropIndex
DROP INDEX "TemporaryCode_userId_idx";

-- AlterTable
ALTER TABLE "RecoveryCode" ADD COLUMN     "keyVersion" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "TemporaryCode" ADD COLUMN     "keyVersion" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE UNIQUE INDEX "RecoveryCode_userId_codeHash_key" ON "RecoveryCode"("userId", "codeHash");

-- CreateIndex
CREATE UNIQUE INDEX "TemporaryCode_userId_codeHash_key" ON "TemporaryCode"("userId", "codeHash");
