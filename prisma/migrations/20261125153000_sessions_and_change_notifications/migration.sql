-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Session_tokenHash_key" ON "Session"("tokenHash");

-- CreateIndex
CREATE INDEX "Session_userId_idx" ON "Session"("userId");

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Change notifications for the API's subscriptions and webhooks: whoever writes a Job or a Verdict
-- (the worker, another process), the API hears of it through LISTEN without polling.
CREATE FUNCTION "notify_job_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('undub_job', json_build_object('id', NEW."id", 'tenantId', NEW."tenantId")::text);
  RETURN NULL;
END;
$$;

CREATE TRIGGER "Job_notify_change"
AFTER INSERT OR UPDATE OF "status", "stage", "progress" ON "Job"
FOR EACH ROW EXECUTE FUNCTION "notify_job_change"();

CREATE FUNCTION "notify_verdict_ready"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('undub_verdict', json_build_object(
    'id', NEW."id",
    'tenantId', (SELECT "tenantId" FROM "Upload" WHERE "id" = NEW."uploadId")
  )::text);
  RETURN NULL;
END;
$$;

CREATE TRIGGER "Verdict_notify_ready"
AFTER INSERT ON "Verdict"
FOR EACH ROW EXECUTE FUNCTION "notify_verdict_ready"();
