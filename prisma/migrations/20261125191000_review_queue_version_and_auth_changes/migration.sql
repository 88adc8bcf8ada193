-- CreateTable
CREATE TABLE "ReviewQueueVersion" (
    "tenantId" TEXT NOT NULL,
    "version" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "ReviewQueueVersion_pkey" PRIMARY KEY ("tenantId")
);

-- Every write that can move a verdict into or out of a review-queue filter raises its tenant's
-- version in the same transaction, so a queue count read at one version is exact for as long as the
-- version stays (the API keeps counts per version; see services/review-queue).
CREATE FUNCTION "review_queue_version_bump"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  tenants TEXT[] := CASE TG_OP
    WHEN 'INSERT' THEN ARRAY[NEW."tenantId"]
    WHEN 'DELETE' THEN ARRAY[OLD."tenantId"]
    ELSE ARRAY[OLD."tenantId", NEW."tenantId"] END;
BEGIN
  INSERT INTO "ReviewQueueVersion" ("tenantId", "version")
  SELECT DISTINCT t, 1 FROM unnest(tenants) t WHERE t IS NOT NULL
  ON CONFLICT ("tenantId") DO UPDATE SET "version" = "ReviewQueueVersion"."version" + 1;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "Verdict_bumps_review_queue_version"
AFTER INSERT OR DELETE OR UPDATE OF "tenantId", "routing", "reviewStatus", "verdict", "confidence", "musicIdentified", "createdAt" ON "Verdict"
FOR EACH ROW EXECUTE FUNCTION "review_queue_version_bump"();

INSERT INTO "ReviewQueueVersion" ("tenantId", "version")
SELECT DISTINCT "tenantId", 1 FROM "Verdict" WHERE "tenantId" IS NOT NULL;

-- Credentials that stop being valid (revoked, deleted, role changed) are announced, so that API
-- processes drop the callers they keep in memory at once, whichever process made the change.
CREATE FUNCTION "notify_auth_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('undub_auth', json_build_object('id', OLD."id", 'tenantId', NULL)::text);
  RETURN NULL;
END;
$$;

CREATE TRIGGER "ApiKey_notify_auth_change"
AFTER DELETE OR UPDATE OF "revokedAt", "role", "tenantId", "userId", "secretHash" ON "ApiKey"
FOR EACH ROW EXECUTE FUNCTION "notify_auth_change"();

CREATE TRIGGER "Session_notify_auth_change"
AFTER DELETE OR UPDATE OF "revokedAt", "expiresAt", "userId", "tokenHash" ON "Session"
FOR EACH ROW EXECUTE FUNCTION "notify_auth_change"();

CREATE TRIGGER "User_notify_auth_change"
AFTER DELETE OR UPDATE OF "role", "tenantId" ON "User"
FOR EACH ROW EXECUTE FUNCTION "notify_auth_change"();
