-- AlterTable
ALTER TABLE "OrgSettings" ADD COLUMN     "requireVerifiedModels" BOOLEAN NOT NULL DEFAULT false;

-- Orgs that already keep a model list keep requiring proof, as they did before this setting existed.
UPDATE "OrgSettings" SET "requireVerifiedModels" = true
  WHERE cardinality("allowedAaguids") > 0 OR cardinality("blockedAaguids") > 0;
