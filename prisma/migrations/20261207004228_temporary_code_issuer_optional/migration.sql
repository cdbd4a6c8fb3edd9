-- AlterTable
ALTER TABLE "TemporaryCode" ADD COLUMN     "issuedByName" TEXT,
ALTER COLUMN "issuedById" DROP NOT NULL;
