-- CreateEnum
CREATE TYPE "Role" AS ENUM ('admin', 'moderator', 'client');

-- CreateEnum
CREATE TYPE "JobStatus" AS ENUM ('queued', 'running', 'succeeded', 'failed', 'cancelled');

-- CreateEnum
CREATE TYPE "JobKind" AS ENUM ('analyze_upload', 'index_music', 'index_original');

-- CreateEnum
CREATE TYPE "StemKind" AS ENUM ('mixture', 'ost', 'bgm', 'speech');

-- CreateEnum
CREATE TYPE "VerdictKind" AS ENUM ('reupload', 'original', 'uncertain');

-- CreateEnum
CREATE TYPE "Routing" AS ENUM ('auto_flag', 'review', 'auto_clear');

-- CreateEnum
CREATE TYPE "DecisionAction" AS ENUM ('confirm_reupload', 'clear_original', 'escalate');

-- CreateTable
CREATE TABLE "Tenant" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Tenant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "passwordHash" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "userId" TEXT,
    "name" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "prefix" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Upload" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "submittedBy" TEXT,
    "externalReference" TEXT,
    "originalFileName" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "sizeBytes" BIGINT NOT NULL,
    "container" TEXT,
    "videoCodec" TEXT,
    "audioCodec" TEXT,
    "durationSeconds" DOUBLE PRECISION,
    "width" INTEGER,
    "height" INTEGER,
    "sampleRate" INTEGER,
    "storageKey" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Upload_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "kind" "JobKind" NOT NULL DEFAULT 'analyze_upload',
    "input" JSONB NOT NULL DEFAULT '{}',
    "uploadId" TEXT,
    "musicTrackId" TEXT,
    "originalWorkId" TEXT,
    "status" "JobStatus" NOT NULL DEFAULT 'queued',
    "stage" TEXT,
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "stageTimings" JSONB NOT NULL DEFAULT '{}',
    "queueJobId" TEXT,
    "workerId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Stem" (
    "id" TEXT NOT NULL,
    "uploadId" TEXT NOT NULL,
    "kind" "StemKind" NOT NULL,
    "format" TEXT NOT NULL DEFAULT 'wav',
    "storageKey" TEXT NOT NULL,
    "sampleRate" INTEGER NOT NULL,
    "channels" INTEGER NOT NULL DEFAULT 1,
    "durationSeconds" DOUBLE PRECISION NOT NULL,
    "loudnessLufs" DOUBLE PRECISION,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Stem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MusicTrack" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "artist" TEXT,
    "durationSeconds" DOUBLE PRECISION,
    "sampleRate" INTEGER,
    "storageKey" TEXT,
    "fingerprintKey" SERIAL NOT NULL,
    "indexedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MusicTrack_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OriginalWork" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "owner" TEXT,
    "durationSeconds" DOUBLE PRECISION,
    "storageKey" TEXT,
    "fingerprintKey" SERIAL NOT NULL,
    "indexedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OriginalWork_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AudioFingerprint" (
    "hash" INTEGER NOT NULL,
    "sourceKey" INTEGER NOT NULL,
    "source" SMALLINT NOT NULL,
    "t" INTEGER NOT NULL,

    CONSTRAINT "AudioFingerprint_pkey" PRIMARY KEY ("hash","source","sourceKey","t")
);

-- CreateTable
CREATE TABLE "VideoHash" (
    "workKey" INTEGER NOT NULL,
    "t" INTEGER NOT NULL,
    "hash" BIGINT NOT NULL,

    CONSTRAINT "VideoHash_pkey" PRIMARY KEY ("workKey","t")
);

-- CreateTable
CREATE TABLE "Verdict" (
    "id" TEXT NOT NULL,
    "uploadId" TEXT NOT NULL,
    "verdict" "VerdictKind" NOT NULL,
    "confidence" DOUBLE PRECISION NOT NULL,
    "routing" "Routing" NOT NULL,
    "originalWorkId" TEXT,
    "musicIdentified" BOOLEAN NOT NULL DEFAULT false,
    "evidence" JSONB NOT NULL,
    "modelVersions" JSONB NOT NULL,
    "configVersion" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Verdict_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Decision" (
    "id" TEXT NOT NULL,
    "verdictId" TEXT NOT NULL,
    "moderatorId" TEXT NOT NULL,
    "action" "DecisionAction" NOT NULL,
    "reasonCode" TEXT NOT NULL,
    "note" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Decision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "seq" BIGSERIAL NOT NULL,
    "tenantId" TEXT,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "dedupeKey" TEXT,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE UNIQUE INDEX "Tenant_name_key" ON "Tenant"("name");

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_secretHash_key" ON "ApiKey"("secretHash");

-- CreateIndex
CREATE INDEX "ApiKey_tenantId_idx" ON "ApiKey"("tenantId");

-- CreateIndex
CREATE INDEX "Upload_tenantId_createdAt_idx" ON "Upload"("tenantId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Upload_tenantId_sha256_externalReference_key" ON "Upload"("tenantId", "sha256", "externalReference");

-- CreateIndex
CREATE INDEX "Job_tenantId_status_createdAt_idx" ON "Job"("tenantId", "status", "createdAt");

-- CreateIndex
CREATE INDEX "Job_uploadId_idx" ON "Job"("uploadId");

-- CreateIndex
CREATE UNIQUE INDEX "Stem_uploadId_kind_format_key" ON "Stem"("uploadId", "kind", "format");

-- CreateIndex
CREATE UNIQUE INDEX "MusicTrack_fingerprintKey_key" ON "MusicTrack"("fingerprintKey");

-- CreateIndex
CREATE UNIQUE INDEX "MusicTrack_tenantId_externalId_key" ON "MusicTrack"("tenantId", "externalId");

-- CreateIndex
CREATE UNIQUE INDEX "OriginalWork_fingerprintKey_key" ON "OriginalWork"("fingerprintKey");

-- CreateIndex
CREATE UNIQUE INDEX "OriginalWork_tenantId_externalId_key" ON "OriginalWork"("tenantId", "externalId");

-- CreateIndex
CREATE INDEX "AudioFingerprint_source_sourceKey_idx" ON "AudioFingerprint"("source", "sourceKey");

-- CreateIndex
CREATE UNIQUE INDEX "Verdict_uploadId_key" ON "Verdict"("uploadId");

-- CreateIndex
CREATE INDEX "Verdict_routing_confidence_idx" ON "Verdict"("routing", "confidence");

-- CreateIndex
CREATE INDEX "Verdict_createdAt_idx" ON "Verdict"("createdAt");

-- CreateIndex
CREATE INDEX "Decision_verdictId_idx" ON "Decision"("verdictId");

-- CreateIndex
CREATE UNIQUE INDEX "AuditEvent_dedupeKey_key" ON "AuditEvent"("dedupeKey");

-- CreateIndex
CREATE INDEX "AuditEvent_tenantId_seq_idx" ON "AuditEvent"("tenantId", "seq");

-- CreateIndex
CREATE INDEX "AuditEvent_subject_idx" ON "AuditEvent"("subject");

-- AddForeignKey
ALTER TABLE "User" ADD CONSTRAINT "User_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Upload" ADD CONSTRAINT "Upload_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Job" ADD CONSTRAINT "Job_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Job" ADD CONSTRAINT "Job_uploadId_fkey" FOREIGN KEY ("uploadId") REFERENCES "Upload"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Stem" ADD CONSTRAINT "Stem_uploadId_fkey" FOREIGN KEY ("uploadId") REFERENCES "Upload"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MusicTrack" ADD CONSTRAINT "MusicTrack_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OriginalWork" ADD CONSTRAINT "OriginalWork_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Verdict" ADD CONSTRAINT "Verdict_uploadId_fkey" FOREIGN KEY ("uploadId") REFERENCES "Upload"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Verdict" ADD CONSTRAINT "Verdict_originalWorkId_fkey" FOREIGN KEY ("originalWorkId") REFERENCES "OriginalWork"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Decision" ADD CONSTRAINT "Decision_verdictId_fkey" FOREIGN KEY ("verdictId") REFERENCES "Verdict"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Decision" ADD CONSTRAINT "Decision_moderatorId_fkey" FOREIGN KEY ("moderatorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditEvent" ADD CONSTRAINT "AuditEvent_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE SET NULL ON UPDATE CASCADE;
