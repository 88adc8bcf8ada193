-- Each posting row's count, carried in the primary key's index: a lookup sizes every query hash's
-- posting list (to read the rarest first within its budget) by an index-only scan, without touching
-- the postings themselves.
ALTER TABLE "AudioPosting" ADD COLUMN "n" INTEGER;
UPDATE "AudioPosting" SET "n" = octet_length("postings") / 8;
ALTER TABLE "AudioPosting" ALTER COLUMN "n" SET NOT NULL;
ALTER TABLE "AudioPosting" DROP CONSTRAINT "AudioPosting_pkey";
ALTER TABLE "AudioPosting" ADD CONSTRAINT "AudioPosting_pkey" PRIMARY KEY ("source", "hash", "block") INCLUDE ("n");
