-- Fingerprint verification reads one item's landmarks by time window.
DROP INDEX "AudioFingerprint_source_sourceKey_idx";
CREATE INDEX "AudioFingerprint_source_sourceKey_t_idx" ON "AudioFingerprint"("source", "sourceKey", "t");

-- Video hash bands for candidate lookup.
ALTER TABLE "VideoHash" ADD COLUMN "b0" SMALLINT NOT NULL,
ADD COLUMN "b1" SMALLINT NOT NULL,
ADD COLUMN "b2" SMALLINT NOT NULL,
ADD COLUMN "b3" SMALLINT NOT NULL;
CREATE INDEX "VideoHash_b0_idx" ON "VideoHash"("b0");
CREATE INDEX "VideoHash_b1_idx" ON "VideoHash"("b1");
CREATE INDEX "VideoHash_b2_idx" ON "VideoHash"("b2");
CREATE INDEX "VideoHash_b3_idx" ON "VideoHash"("b3");
