-- AlterTable
ALTER TABLE "EmailMessage" ADD COLUMN     "budget" TEXT NOT NULL DEFAULT 'admin';
