-- Audio landmarks as posting lists. A lookup used to read one row per stored landmark (millions per
-- query at 1k tracks); it now reads one row per (hash, block of 4096 items): the postings, packed
-- (sourceKey, t) int4 pairs. Each item's own landmarks sit in one row, packed (hash, t) int4 pairs
-- sorted by t, read by verification and by removal. Existing landmarks are converted, not dropped.
CREATE TABLE "AudioPosting" (
    "source" SMALLINT NOT NULL,
    "hash" INTEGER NOT NULL,
    "block" INTEGER NOT NULL,
    "postings" BYTEA NOT NULL,

    CONSTRAINT "AudioPosting_pkey" PRIMARY KEY ("source","hash","block")
);
-- Packed integers barely compress: keep them uncompressed so reads skip decompression.
ALTER TABLE "AudioPosting" ALTER COLUMN "postings" SET STORAGE EXTERNAL;

INSERT INTO "AudioPosting" ("source", "hash", "block", "postings")
SELECT "source", "hash", "sourceKey" >> 12,
       string_agg(int4send("sourceKey") || int4send("t"), ''::bytea ORDER BY "sourceKey", "t")
FROM "AudioFingerprint" GROUP BY "source", "hash", "sourceKey" >> 12;

CREATE TEMP TABLE "AudioFingerprint_items" AS
SELECT "source", "sourceKey", count(*)::int AS "count",
       string_agg(int4send("hash") || int4send("t"), ''::bytea ORDER BY "t", "hash") AS "landmarks"
FROM "AudioFingerprint" GROUP BY "source", "sourceKey";

DROP TABLE "AudioFingerprint";

CREATE TABLE "AudioFingerprint" (
    "source" SMALLINT NOT NULL,
    "sourceKey" INTEGER NOT NULL,
    "count" INTEGER NOT NULL,
    "landmarks" BYTEA NOT NULL,

    CONSTRAINT "AudioFingerprint_pkey" PRIMARY KEY ("source","sourceKey")
);
ALTER TABLE "AudioFingerprint" ALTER COLUMN "landmarks" SET STORAGE EXTERNAL;

INSERT INTO "AudioFingerprint" SELECT * FROM "AudioFingerprint_items";
DROP TABLE "AudioFingerprint_items";
