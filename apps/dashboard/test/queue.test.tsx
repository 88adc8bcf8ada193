import { fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReviewQueue } from '../src/components/ReviewQueue';
import { reviewQueue } from '../src/lib/queries';
import { writeSession } from '../src/lib/session';
import type { QueueItem } from '../src/lib/types';
import { fakeApi } from './fakeApi';

const item = (n: number, over: Partial<QueueItem> = {}): QueueItem => ({
  verdictId: `v${n}`,
  uploadId: `u${n}`,
  fileName: `clip-${n}.mp4`,
  createdAt: '2026-11-25T10:00:00.000Z',
  verdict: 'uncertain',
  confidence: 0.5 + n / 100,
  routing: 'review',
  musicIdentified: n % 2 === 0,
  originalTitle: null,
  durationSeconds: 10,
  thumbnailUrl: null,
  decided: false,
  ...over,
});

afterEach(() => vi.unstubAllGlobals());

describe('review queue', () => {
  it('moves with J/K and opens the active item with Enter', () => {
    const onOpen = vi.fn();
    render(<ReviewQueue items={[item(1), item(2), item(3)]} onOpen={onOpen} />);
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows[0].getAttribute('aria-selected')).toBe('true');

    fireEvent.keyDown(window, { key: 'j' });
    fireEvent.keyDown(document.activeElement!, { key: 'j' });
    expect(rows[2].getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(rows[2]);
    // Past the end stays on the last row.
    fireEvent.keyDown(document.activeElement!, { key: 'j' });
    fireEvent.keyDown(document.activeElement!, { key: 'k' });
    expect(rows[1].getAttribute('aria-selected')).toBe('true');

    fireEvent.keyDown(document.activeElement!, { key: 'Enter' });
    expect(onOpen).toHaveBeenCalledTimes(1);
    expect(onOpen.mock.calls[0][0].verdictId).toBe('v2');
  });

  it('ignores J/K typed in a field', () => {
    const onOpen = vi.fn();
    render(
      <>
        <input aria-label="search" />
        <ReviewQueue items={[item(1), item(2)]} onOpen={onOpen} />
      </>,
    );
    const input = screen.getByLabelText('search');
    fireEvent.keyDown(input, { key: 'j' });
    expect(screen.getAllByRole('row')[1].getAttribute('aria-selected')).toBe('true');
  });

  it('shows the verdict with its confidence as a meter, and a placeholder frame without a thumbnail', () => {
    render(
      <ReviewQueue items={[item(1, { verdict: 'reupload', confidence: 0.83 })]} onOpen={() => undefined} />,
    );
    const meter = screen.getByRole('meter');
    expect(meter.getAttribute('aria-valuenow')).toBe('83');
    expect(meter.getAttribute('aria-label')).toBe('Re-upload, confidence 83%');
    expect(screen.queryByRole('img')).toBeNull();
  });

  it('offers bulk actions only to admins and decides every selected item', async () => {
    const onBulk = vi.fn(async () => undefined);
    const { rerender } = render(<ReviewQueue items={[item(1), item(2)]} onOpen={() => undefined} />);
    expect(screen.queryByRole('toolbar')).toBeNull();
    rerender(<ReviewQueue items={[item(1), item(2)]} onOpen={() => undefined} onBulk={onBulk} />);
    fireEvent.click(screen.getByLabelText('Select clip-2.mp4'));
    // Clicking a row's checkbox makes that row active; K moves back up, X selects the first row.
    fireEvent.keyDown(window, { key: 'k' });
    fireEvent.keyDown(document.activeElement!, { key: 'x' });
    expect(screen.getByText('2 selected')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Escalate' }));
    await vi.waitFor(() => expect(onBulk).toHaveBeenCalled());
    expect(onBulk.mock.calls[0]).toEqual(['escalate', 'bulk_escalated', ['v2', 'v1']]);
  });

  it('asks the API for the queue with its filters and maps the answer', async () => {
    writeSession({ token: 't0k', email: 'm@x', name: 'M', role: 'moderator' });
    const { sent } = fakeApi({
      Queue: () => ({
        reviewQueue: {
          nodes: [
            {
              id: 'v9',
              verdict: 'REUPLOAD',
              confidence: 0.7,
              routing: 'REVIEW',
              musicIdentified: true,
              createdAt: '2026-11-25T10:00:00.000Z',
              reviewStatus: 'PENDING',
              originalWork: { title: 'Work A' },
              upload: { id: 'u9', originalFileName: 'a.mp4', durationSeconds: 12 },
            },
          ],
          totalCount: 1,
          pageInfo: { endCursor: 'c1', hasNextPage: false },
        },
      }),
    });
    const page = await reviewQueue({
      routing: ['review'],
      verdict: ['reupload'],
      sort: 'oldest_first',
      confidenceMin: 0.2,
    });
    expect(sent[0].authorization).toBe('Bearer t0k');
    expect(sent[0].variables).toMatchObject({
      filter: { routing: ['REVIEW'], verdict: ['REUPLOAD'], confidenceMin: 0.2 },
      sort: 'OLDEST_FIRST',
    });
    expect(page.nodes[0]).toMatchObject({
      verdictId: 'v9',
      verdict: 'reupload',
      routing: 'review',
      originalTitle: 'Work A',
    });
  });
});
