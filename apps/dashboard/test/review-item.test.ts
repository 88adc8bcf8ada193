import { afterEach, describe, expect, it, vi } from 'vitest';
import { earlyReviewScript } from '../src/lib/early';
import { reviewItemById } from '../src/lib/queries';
import { writeSession } from '../src/lib/session';
import { fakeApi } from './fakeApi';

afterEach(() => vi.unstubAllGlobals());

describe('review item', () => {
  it('plays browser formats, takes the original mix from the upload, and keeps media on this origin', async () => {
    fakeApi({
      Review: ({ id }) => ({
        verdict: {
          id,
          verdict: 'REUPLOAD',
          confidence: 0.8,
          routing: 'REVIEW',
          createdAt: '2026-11-25T10:00:00.000Z',
          evidence: { media: { durationSeconds: 10 }, originality: { matches: [] } },
          modelVersions: { separator: 'mask-gru@3' },
          configVersion: 'c1',
          originalWork: { id: 'uuid-1', externalId: 'o-0001', title: 'Work', owner: null, videoUrl: null },
          upload: {
            id: 'u1',
            originalFileName: 'clip.mp4',
            durationSeconds: 10,
            videoUrl: 'http://127.0.0.1:4000/media/aa.mp4?exp=1&sig=x',
            stems: [
              { kind: 'OST', format: 'wav', url: 'http://127.0.0.1:4000/media/ost.wav?sig=1' },
              { kind: 'OST', format: 'm4a', url: 'http://127.0.0.1:4000/media/ost.m4a?sig=2' },
              { kind: 'BGM', format: 'wav', url: 'http://127.0.0.1:4000/media/bgm.wav?sig=3' },
              { kind: 'MIXTURE', format: 'mp4', url: 'http://127.0.0.1:4000/media/restored.mp4?sig=4' },
            ],
          },
          decisions: [],
        },
      }),
    });
    const item = await reviewItemById('v1');
    expect(item?.videoUrl).toBe('/media/aa.mp4?exp=1&sig=x');
    expect(item?.stems).toEqual([
      { kind: 'mixture', url: '/media/aa.mp4?exp=1&sig=x' },
      { kind: 'ost', url: '/media/ost.m4a?sig=2' },
      { kind: 'bgm', url: '/media/bgm.wav?sig=3' },
    ]);
    expect(item?.evidence.duration).toBe(10);
  });

  it('reports a verdict the API does not show as missing', async () => {
    fakeApi({ Review: () => ({ verdict: null }) });
    expect(await reviewItemById('nope')).toBeNull();
  });

  it('adopts the request the inline script started before the page loaded, once', async () => {
    writeSession({ token: 'early-token', email: 'm@x', name: 'M', role: 'moderator' });
    const { sent } = fakeApi({ Review: () => ({ verdict: null }) });
    window.history.pushState({}, '', '/review/v7');
    new Function(earlyReviewScript())();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      name: 'Review',
      variables: { id: 'v7' },
      authorization: 'Bearer early-token',
    });
    expect(await reviewItemById('v7')).toBeNull();
    expect(sent).toHaveLength(1); // the page's own call used the early answer
    expect(await reviewItemById('v7')).toBeNull();
    expect(sent).toHaveLength(2); // later calls go to the API again
    window.history.pushState({}, '', '/');
  });
});
