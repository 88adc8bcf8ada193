// The moderators' API: review queue filters, sorts and pagination; decisions with audit events;
// the report's figures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, startTestApi, type TenantWorld, type TestApi } from './support/api';
import { insertVerdict } from './support/api-fixtures';

let t: TestApi;
let acme: TenantWorld;
const day = (d: number) => new Date(Date.UTC(2026, 0, d, 12));

interface Row {
  id: string;
  confidence: number;
  verdict: string;
  routing: string;
  musicIdentified: boolean;
  createdAt: string;
  reviewStatus: string;
}
const FIELDS = 'id confidence verdict routing musicIdentified createdAt reviewStatus';

beforeAll(async () => {
  t = await startTestApi();
  acme = await t.tenant('acme');
  const kinds = ['reupload', 'original', 'uncertain'] as const;
  const routings = ['review', 'review', 'auto_flag', 'auto_clear'] as const;
  for (let i = 0; i < 24; i++)
    await insertVerdict(t.db.prisma, acme.tenantId, {
      verdict: kinds[i % 3],
      routing: routings[i % 4],
      confidence: ((i * 7) % 24) / 24,
      musicIdentified: i % 5 === 0,
      createdAt: day(1 + i),
    });
});
afterAll(() => t?.close());

async function queue(
  args: string,
  token = acme.keys.moderator,
): Promise<{ nodes: Row[]; totalCount: number; pageInfo: { endCursor: string; hasNextPage: boolean } }> {
  const r = await t.gql(
    token,
    `{ reviewQueue(${args}) { totalCount nodes { ${FIELDS} } pageInfo { endCursor hasNextPage } } }`,
  );
  expect(r.errors).toBeUndefined();
  return r.data!.reviewQueue;
}

describe('review queue', () => {
  it('defaults to pending verdicts routed to review, least confident first', async () => {
    const q = await queue('first: 100');
    expect(q.totalCount).toBe(12);
    expect(q.nodes.every((n) => n.routing === 'REVIEW' && n.reviewStatus === 'PENDING')).toBe(true);
    const conf = q.nodes.map((n) => n.confidence);
    expect(conf).toEqual([...conf].sort((x, y) => x - y));
  });

  it('filters by routing, verdict, confidence band, music, date; sorts by confidence and age', async () => {
    const all = await queue('first: 100, filter: { routing: [], status: [] }');
    expect(all.totalCount).toBe(24);
    const flagged = await queue('first: 100, filter: { routing: [AUTO_FLAG] }');
    expect(flagged.nodes.every((n) => n.routing === 'AUTO_FLAG')).toBe(true);
    expect(flagged.totalCount).toBe(6);
    const band = await queue(
      'first: 100, filter: { routing: [], confidenceMin: 0.25, confidenceMax: 0.5, verdict: [REUPLOAD, UNCERTAIN] }',
    );
    expect(band.nodes.length).toBeGreaterThan(0);
    expect(
      band.nodes.every((n) => n.confidence >= 0.25 && n.confidence <= 0.5 && n.verdict !== 'ORIGINAL'),
    ).toBe(true);
    expect(band.totalCount).toBe(
      all.nodes.filter((n) => n.confidence >= 0.25 && n.confidence <= 0.5 && n.verdict !== 'ORIGINAL').length,
    );
    const music = await queue('first: 100, filter: { routing: [], musicIdentified: true }');
    expect(music.totalCount).toBe(5);
    const dated = await queue(
      'first: 100, filter: { routing: [], createdAfter: "2026-01-05T00:00:00Z", createdBefore: "2026-01-10T00:00:00Z" }',
    );
    expect(dated.totalCount).toBe(5);
    const oldest = await queue('first: 100, sort: OLDEST_FIRST, filter: { routing: [] }');
    const times = oldest.nodes.map((n) => n.createdAt);
    expect(times).toEqual([...times].sort());
    const newest = await queue('first: 3, sort: NEWEST_FIRST, filter: { routing: [] }');
    expect(newest.nodes.map((n) => n.createdAt)).toEqual([...times].reverse().slice(0, 3));
    const desc = await queue('first: 100, sort: CONFIDENCE_DESC, filter: { routing: [] }');
    expect(desc.nodes[0].confidence).toBe(Math.max(...all.nodes.map((n) => n.confidence)));
  });

  it('pages through with cursors without repeating or skipping', async () => {
    const ids: string[] = [];
    let after = '';
    for (let page = 0; page < 10; page++) {
      const q = await queue(
        `first: 5, sort: CONFIDENCE_ASC, filter: { routing: [] }${after ? `, after: "${after}"` : ''}`,
      );
      ids.push(...q.nodes.map((n) => n.id));
      if (!q.pageInfo.hasNextPage) break;
      after = q.pageInfo.endCursor;
    }
    expect(ids).toHaveLength(24);
    expect(new Set(ids).size).toBe(24);
  });
});

describe('decisions', () => {
  it('records a decision with an audit event and moves the verdict out of the pending queue', async () => {
    const [first] = (await queue('first: 1')).nodes;
    const r = await t.gql(
      acme.keys.moderator,
      `mutation { decide(verdictId: "${first.id}", action: ESCALATE, reasonCode: "unclear_audio", note: "  listen to 0:12  ") { id action reasonCode note moderator { email } verdict { id reviewStatus } } }`,
    );
    expect(r.data!.decide).toMatchObject({
      action: 'ESCALATE',
      reasonCode: 'unclear_audio',
      note: 'listen to 0:12',
      moderator: { email: 'mod@acme.test' },
      verdict: { id: first.id, reviewStatus: 'ESCALATED' },
    });
    const escalated = await queue('first: 100, filter: { status: [ESCALATED] }');
    expect(escalated.nodes.map((n) => n.id)).toEqual([first.id]);
    expect((await queue('first: 100')).totalCount).toBe(12); // default: pending and escalated

    await t.gql(
      acme.keys.admin,
      `mutation { decide(verdictId: "${first.id}", action: CONFIRM_REUPLOAD, reasonCode: "senior_confirmed") { id } }`,
    );
    expect((await queue('first: 100')).totalCount).toBe(11);
    const decided = await t.gql(
      acme.keys.moderator,
      `{ verdict(id: "${first.id}") { reviewStatus latestDecision { action } decisions { action } } }`,
    );
    expect(decided.data!.verdict).toEqual({
      reviewStatus: 'DECIDED',
      latestDecision: { action: 'CONFIRM_REUPLOAD' },
      decisions: [{ action: 'ESCALATE' }, { action: 'CONFIRM_REUPLOAD' }],
    });

    const audit = await t.gql(
      acme.keys.moderator,
      `{ auditEvents(filter: { subject: "verdict:${first.id}" }) { totalCount nodes { action actor payload } } }`,
    );
    expect(audit.data!.auditEvents.totalCount).toBe(2);
    expect(audit.data!.auditEvents.nodes[0]).toMatchObject({
      action: 'decision.made',
      actor: expect.stringMatching(/^apikey:/),
      payload: { action: 'confirm_reupload', reasonCode: 'senior_confirmed', moderatorId: acme.adminUserId },
    });
    const chain = await t.gql(acme.keys.admin, '{ auditChainStatus { ok checked broken { seq } } }');
    expect(chain.data!.auditChainStatus).toMatchObject({ ok: true, broken: [] });
    expect(chain.data!.auditChainStatus.checked).toBe(2);
  });

  it('validates the decision input', async () => {
    const [v] = (await queue('first: 1')).nodes;
    expect(
      codeOf(
        await t.gql(
          acme.keys.moderator,
          `mutation { decide(verdictId: "${v.id}", action: ESCALATE, reasonCode: "no spaces please") { id } }`,
        ),
      ),
    ).toBe('BAD_USER_INPUT');
    expect(
      codeOf(
        await t.gql(
          acme.keys.moderator,
          'mutation { decide(verdictId: "missing", action: ESCALATE, reasonCode: "x") { id } }',
        ),
      ),
    ).toBe('NOT_FOUND');
    expect(
      codeOf(
        await t.gql(
          acme.keys.moderator,
          `mutation { decide(verdictId: "${v.id}", action: MAYBE, reasonCode: "x") { id } }`,
        ),
      ),
    ).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('pages the audit log by sequence', async () => {
    const p1 = await t.gql(
      acme.keys.moderator,
      '{ auditEvents(first: 1) { nodes { seq } pageInfo { endCursor hasNextPage } } }',
    );
    const p2 = await t.gql(
      acme.keys.moderator,
      `{ auditEvents(first: 1, after: "${p1.data!.auditEvents.pageInfo.endCursor}") { nodes { seq } } }`,
    );
    expect(BigInt(p2.data!.auditEvents.nodes[0].seq)).toBeLessThan(BigInt(p1.data!.auditEvents.nodes[0].seq));
  });
});

describe('report', () => {
  it('counts verdicts, decisions, moderators, overturns and the median time to decision', async () => {
    const r2 = await startTestApi();
    try {
      const w = await r2.tenant('acme');
      const p = r2.db.prisma;
      const base = Date.UTC(2026, 2, 1);
      const at = (h: number) => new Date(base + h * 3600_000);
      const re1 = await insertVerdict(p, w.tenantId, { verdict: 'reupload', createdAt: at(0) });
      const re2 = await insertVerdict(p, w.tenantId, { verdict: 'reupload', createdAt: at(0) });
      const or1 = await insertVerdict(p, w.tenantId, {
        verdict: 'original',
        routing: 'auto_clear',
        createdAt: at(0),
      });
      await insertVerdict(p, w.tenantId, { verdict: 'uncertain', createdAt: at(0) });
      const decide = (
        verdictId: string,
        moderatorId: string,
        action: 'confirm_reupload' | 'clear_original' | 'escalate',
        hours: number,
      ) =>
        p.decision.create({
          data: { verdictId, moderatorId, action, reasonCode: 'r', createdAt: at(hours) },
        });
      await decide(re1.verdict.id, w.moderatorUserId, 'confirm_reupload', 1); // agrees
      await decide(re2.verdict.id, w.moderatorUserId, 'clear_original', 2); // overturn
      await decide(or1.verdict.id, w.adminUserId, 'escalate', 3);
      await decide(or1.verdict.id, w.adminUserId, 'clear_original', 5); // agrees
      const r = await r2.gql(
        w.keys.moderator,
        `{ report(from: "${at(-1).toISOString()}", to: "${at(24).toISOString()}") {
        verdicts byVerdict { verdict count } byRouting { routing count } decisions byDecision { action count }
        byModerator { moderator { email } decisions overturns } overturnRate medianTimeToDecisionSeconds } }`,
      );
      expect(r.errors).toBeUndefined();
      const rep = r.data!.report;
      expect(rep.verdicts).toBe(4);
      expect(rep.byVerdict).toEqual([
        { verdict: 'ORIGINAL', count: 1 },
        { verdict: 'REUPLOAD', count: 2 },
        { verdict: 'UNCERTAIN', count: 1 },
      ]);
      expect(rep.byRouting).toEqual([
        { routing: 'AUTO_CLEAR', count: 1 },
        { routing: 'REVIEW', count: 3 },
      ]);
      expect(rep.decisions).toBe(4);
      expect(rep.byDecision).toEqual([
        { action: 'CLEAR_ORIGINAL', count: 2 },
        { action: 'CONFIRM_REUPLOAD', count: 1 },
        { action: 'ESCALATE', count: 1 },
      ]);
      expect(rep.byModerator).toEqual(
        expect.arrayContaining([
          { moderator: { email: 'mod@acme.test' }, decisions: 2, overturns: 1 },
          { moderator: { email: 'admin@acme.test' }, decisions: 2, overturns: 0 },
        ]),
      );
      expect(rep.overturnRate).toBeCloseTo(1 / 3);
      // First decisions after 1 h, 2 h and 3 h: median 2 h.
      expect(rep.medianTimeToDecisionSeconds).toBe(7200);
      const empty = await r2.gql(
        w.keys.moderator,
        '{ report(from: "2000-01-01T00:00:00Z", to: "2000-02-01T00:00:00Z") { verdicts overturnRate medianTimeToDecisionSeconds } }',
      );
      expect(empty.data!.report).toEqual({
        verdicts: 0,
        overturnRate: null,
        medianTimeToDecisionSeconds: null,
      });
      expect(
        codeOf(
          await r2.gql(
            w.keys.moderator,
            '{ report(from: "2001-01-01T00:00:00Z", to: "2000-01-01T00:00:00Z") { verdicts } }',
          ),
        ),
      ).toBe('BAD_USER_INPUT');
    } finally {
      await r2.close();
    }
  });
});
