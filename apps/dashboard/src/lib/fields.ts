// Selections shared by the review page's query and the early request started before the page's
// JavaScript runs (early.ts): both must send byte-identical bodies.
export const DECISION_FIELDS = 'id action reasonCode note createdAt moderator { name email }';

const VERDICT_FIELDS = `id verdict confidence routing createdAt evidence modelVersions configVersion
  originalWork { id externalId title owner videoUrl }
  upload { id originalFileName durationSeconds videoUrl stems { kind format url } }
  decisions { ${DECISION_FIELDS} }`;

export const REVIEW_QUERY = `query Review($id: ID!) { verdict(id: $id) { ${VERDICT_FIELDS} } }`;
