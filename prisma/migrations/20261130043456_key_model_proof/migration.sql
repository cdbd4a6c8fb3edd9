-- AlterTable
ALTER TABLE "SecurityKey" ADD COLUMN     "modelProofDetail" TEXT,
ADD COLUMN     "modelProofSource" TEXT,
ADD COLUMN     "modelProven" BOOLEAN NOT NULL DEFAULT false;
