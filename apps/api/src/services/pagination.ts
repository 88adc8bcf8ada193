// Cursor pagination over Prisma lists: the cursor is the last row's id and the order always ends
// with id, so pages neither repeat nor skip rows whatever the sort.
import { ServiceError } from './errors';

export const MAX_PAGE = 100;

export interface Page<T> {
  nodes: T[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
  /** Counted only when asked for (GraphQL's default resolver calls it). */
  totalCount: () => Promise<number>;
}

export function checkFirst(first: number): void {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE)
    throw new ServiceError('BAD_USER_INPUT', `first must be between 1 and ${MAX_PAGE}`);
}

/** `find` receives Prisma's take/cursor/skip; `count` the total without them. */
export async function paginate<T extends { id: string }>(
  first: number,
  after: string | null | undefined,
  find: (page: { take: number; cursor?: { id: string }; skip?: number }) => Promise<T[]>,
  count: () => Promise<number>,
): Promise<Page<T>> {
  checkFirst(first);
  const rows = await find({ take: first + 1, ...(after ? { cursor: { id: after }, skip: 1 } : {}) });
  const nodes = rows.slice(0, first);
  return {
    nodes,
    pageInfo: { endCursor: nodes.at(-1)?.id ?? null, hasNextPage: rows.length > first },
    totalCount: count,
  };
}

/** Prisma's filter for an optional [after, before) date range. */
export function dateRange(after?: Date | null, before?: Date | null): { gte?: Date; lt?: Date } | undefined {
  if (!after && !before) return undefined;
  return { ...(after ? { gte: after } : {}), ...(before ? { lt: before } : {}) };
}
