-- Each hash's posting count over all its blocks, one row per (source, hash): a lookup sizes its query
-- hashes (to read the rarest first within its vote budget) with one index entry each, where summing
-- AudioPosting's blocks cost one entry per block and grew with the catalog. Writers keep it exact in
-- the same transaction as the postings (apps/api/src/catalog/landmark-store.ts).
CREATE TABLE "AudioPostingSize" (
    "source" SMALLINT NOT NULL,
    "hash" INTEGER NOT NULL,
    "n" INTEGER NOT NULL,

    CONSTRAINT "AudioPostingSize_pkey" PRIMARY KEY ("source", "hash") INCLUDE ("n")
);

INSERT INTO "AudioPostingSize" ("source", "hash", "n")
SELECT "source", "hash", sum("n") FROM "AudioPosting" GROUP BY "source", "hash";
