-- AlterTable
ALTER TABLE "SecurityKey" ADD COLUMN     "registrationEmailId" UUID,
ADD COLUMN     "registrationEventId" UUID;
