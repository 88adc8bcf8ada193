import { act, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DecisionPanel } from '../src/components/DecisionPanel';
import { decide } from '../src/lib/queries';
import { writeSession } from '../src/lib/session';
import { fakeApi } from './fakeApi';

afterEach(() => vi.unstubAllGlobals());

const flushFrame = () => act(() => new Promise((r) => requestAnimationFrame(() => r(undefined))));

describe('decision panel', () => {
  it('decides by keyboard: C picks the action, Ctrl+Enter sends it to the API', async () => {
    writeSession({ token: 'tok', email: 'm@x', name: 'M', role: 'moderator' });
    const { sent } = fakeApi({
      Decide: (v) => ({
        decide: {
          id: 'd1',
          action: v.action,
          reasonCode: v.reasonCode,
          note: v.note,
          createdAt: '2026-11-25T10:00:00.000Z',
          moderator: { name: 'M', email: 'm@x' },
        },
      }),
    });
    const done = vi.fn();
    render(<DecisionPanel onDecide={async (input) => done(await decide('v1', input))} />);
    expect(screen.getByRole('button', { name: /Decide and open next/ })).toHaveProperty('disabled', true);

    fireEvent.keyDown(window, { key: 'c' });
    await flushFrame();
    expect(screen.getByRole('button', { name: /Confirm re-upload/ }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    const reason = screen.getByLabelText('Reason') as HTMLSelectElement;
    expect(document.activeElement).toBe(reason);
    fireEvent.change(reason, { target: { value: 'same_picture' } });
    // Letters typed in the note are text, not shortcuts.
    const note = screen.getByLabelText('Note');
    fireEvent.keyDown(note, { key: 'e' });
    fireEvent.change(note, { target: { value: ' re-encoded with new music ' } });
    expect(screen.getByRole('button', { name: /Confirm re-upload/ }).getAttribute('aria-pressed')).toBe(
      'true',
    );

    fireEvent.keyDown(note, { key: 'Enter', ctrlKey: true });
    await vi.waitFor(() => expect(done).toHaveBeenCalled());
    expect(sent).toHaveLength(1);
    expect(sent[0].variables).toEqual({
      verdictId: 'v1',
      action: 'CONFIRM_REUPLOAD',
      reasonCode: 'same_picture',
      note: 're-encoded with new music',
    });
    expect(done.mock.calls[0][0]).toMatchObject({ id: 'd1', action: 'confirm_reupload' });
    // Reset for the next item.
    expect(screen.queryByLabelText('Reason')).toBeNull();
  });

  it('offers the reason codes of the chosen action and shows an API refusal', async () => {
    writeSession({ token: 'tok', email: 'm@x', name: 'M', role: 'moderator' });
    fakeApi({}); // every operation is refused
    render(<DecisionPanel onDecide={(input) => decide('v1', input).then(() => undefined)} />);
    fireEvent.click(screen.getByRole('button', { name: /Escalate/ }));
    const options = [...(screen.getByLabelText('Reason') as HTMLSelectElement).options].map((o) => o.value);
    expect(options).toEqual(['needs_rights_holder', 'unclear_evidence', 'policy_question']);
    fireEvent.click(screen.getByRole('button', { name: /Decide and open next/ }));
    expect((await screen.findByRole('alert')).textContent).toBe('no handler for Decide');
    // The choice survives the failure, so nothing is lost.
    expect(screen.getByRole('button', { name: /Escalate/ }).getAttribute('aria-pressed')).toBe('true');
  });
});
