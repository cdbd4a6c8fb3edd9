-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN     "userAgent" TEXT;
