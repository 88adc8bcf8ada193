-- CreateEnum
CREATE TYPE "ReviewStatus" AS ENUM ('pending', 'escalated', 'decided');

-- AlterTable
ALTER TABLE "Verdict" ADD COLUMN     "reviewStatus" "ReviewStatus" NOT NULL DEFAULT 'pending';

-- CreateIndex
CREATE INDEX "Verdict_routing_reviewStatus_confidence_idx" ON "Verdict"("routing", "reviewStatus", "confidence");

-- Existing verdicts get the status their decisions give them.
UPDATE "Verdict" v SET "reviewStatus" = CASE
  WHEN EXISTS (SELECT 1 FROM "Decision" d WHERE d."verdictId" = v.id AND d.action IN ('confirm_reupload', 'clear_original')) THEN 'decided'::"ReviewStatus"
  ELSE 'escalated'::"ReviewStatus" END
WHERE EXISTS (SELECT 1 FROM "Decision" d WHERE d."verdictId" = v.id);

-- Every decision moves its verdict on, whoever writes it: a final decision (confirm, clear) decides
-- it for good; an escalation marks it escalated unless it was decided already.
CREATE FUNCTION "decision_sets_review_status"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "Verdict" SET "reviewStatus" = CASE
    WHEN NEW.action IN ('confirm_reupload', 'clear_original') THEN 'decided'::"ReviewStatus"
    WHEN "reviewStatus" = 'decided' THEN 'decided'::"ReviewStatus"
    ELSE 'escalated'::"ReviewStatus" END
  WHERE id = NEW."verdictId";
  RETURN NULL;
END;
$$;

CREATE TRIGGER "Decision_sets_review_status"
AFTER INSERT ON "Decision"
FOR EACH ROW EXECUTE FUNCTION "decision_sets_review_status"();
