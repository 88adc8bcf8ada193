-- Verdicts carry their upload's tenant, so that the review queue (always scoped to one tenant) is
-- read from one index in its sort order instead of joining every verdict to its upload.
ALTER TABLE "Verdict" ADD COLUMN "tenantId" TEXT;

UPDATE "Verdict" v SET "tenantId" = u."tenantId" FROM "Upload" u WHERE u.id = v."uploadId";

-- Whoever inserts a verdict (the worker, a test, a bulk load), its tenant is its upload's.
CREATE FUNCTION "verdict_sets_tenant"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW."tenantId" := (SELECT "tenantId" FROM "Upload" WHERE id = NEW."uploadId");
  RETURN NEW;
END;
$$;

CREATE TRIGGER "Verdict_sets_tenant"
BEFORE INSERT OR UPDATE OF "uploadId", "tenantId" ON "Verdict"
FOR EACH ROW EXECUTE FUNCTION "verdict_sets_tenant"();

-- The queue's two sort orders within one tenant, routing and review status (ties by id).
DROP INDEX "Verdict_routing_confidence_idx";
DROP INDEX "Verdict_routing_reviewStatus_confidence_idx";
CREATE INDEX "Verdict_tenantId_routing_reviewStatus_confidence_id_idx" ON "Verdict"("tenantId", "routing", "reviewStatus", "confidence", "id");
CREATE INDEX "Verdict_tenantId_routing_reviewStatus_createdAt_id_idx" ON "Verdict"("tenantId", "routing", "reviewStatus", "createdAt", "id");

-- The new column and indexes need statistics before the first queue query is planned.
ANALYZE "Verdict";
