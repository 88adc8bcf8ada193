// GraphQL enums are UPPER_CASE; the data model's enums are the same words in lower case.
import {
  DecisionAction,
  JobKind,
  JobStatus,
  ReviewStatus,
  Role,
  Routing,
  StemKind,
  VerdictKind,
} from '../../generated/prisma/enums';

function upperToModel(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.values(values).map((v) => [v.toUpperCase(), v]));
}

export const enumResolvers = {
  Role: upperToModel(Role),
  JobStatus: upperToModel(JobStatus),
  JobKind: upperToModel(JobKind),
  StemKind: upperToModel(StemKind),
  VerdictKind: upperToModel(VerdictKind),
  Routing: upperToModel(Routing),
  DecisionAction: upperToModel(DecisionAction),
  ReviewStatus: upperToModel(ReviewStatus),
};
