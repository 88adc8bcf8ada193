import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { StemPlayer } from '../src/components/StemPlayer';
import type { StemMedia } from '../src/lib/types';

const stems: StemMedia[] = [
  { kind: 'mixture', url: '/media/mix.wav' },
  { kind: 'ost', url: '/media/ost.wav' },
  { kind: 'bgm', url: '/media/bgm.wav' },
  { kind: 'speech', url: '/media/speech.wav' },
];

function setup() {
  const { container } = render(<StemPlayer videoUrl="/media/video.mp4" stems={stems} initialStem="ost" />);
  const video = container.querySelector('video')!;
  const audio = (kind: string) => container.querySelector<HTMLAudioElement>(`audio[data-stem="${kind}"]`)!;
  return { video, audio };
}

describe('stem switch', () => {
  it('plays the chosen stem with the muted picture and keeps the position when switching', () => {
    const { video, audio } = setup();
    expect(video.muted).toBe(true);
    expect(screen.getByRole('radio', { name: /Restored OST/ }).getAttribute('aria-checked')).toBe('true');

    video.currentTime = 3;
    void video.play();
    expect(audio('ost').paused).toBe(false);
    expect(audio('ost').currentTime).toBe(3);

    // Playback moves on; the stem drifted behind and is put back on the picture's clock.
    video.currentTime = 12.3;
    audio('ost').currentTime = 12.0;
    fireEvent(video, new Event('timeupdate'));
    expect(audio('ost').currentTime).toBe(12.3);

    fireEvent.click(screen.getByRole('radio', { name: /Removed BGM/ }));
    expect(audio('bgm').currentTime).toBe(12.3);
    expect(audio('bgm').paused).toBe(false);
    expect(audio('ost').paused).toBe(true);
    expect(screen.getByRole('radio', { name: /Removed BGM/ }).getAttribute('aria-checked')).toBe('true');
  });

  it('switches with the number keys, paused, at the current position', () => {
    const { video, audio } = setup();
    video.currentTime = 7.5;
    fireEvent.keyDown(window, { key: '1' });
    expect(screen.getByRole('radio', { name: /Original mix/ }).getAttribute('aria-checked')).toBe('true');
    expect(audio('mixture').currentTime).toBe(7.5);
    expect(audio('mixture').paused).toBe(true);
    fireEvent.keyDown(window, { key: '4' });
    expect(audio('speech').currentTime).toBe(7.5);
  });

  it('moves through the soundtracks with the arrow keys, focus following', () => {
    const { video, audio } = setup();
    video.currentTime = 5;
    const ost = screen.getByRole('radio', { name: /Restored OST/ });
    ost.focus();
    fireEvent.keyDown(ost, { key: 'ArrowRight' });
    const bgm = screen.getByRole('radio', { name: /Removed BGM/ });
    expect(bgm.getAttribute('aria-checked')).toBe('true');
    expect(document.activeElement).toBe(bgm);
    expect(audio('bgm').currentTime).toBe(5);
    fireEvent.keyDown(bgm, { key: 'ArrowLeft' });
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowLeft' });
    expect(screen.getByRole('radio', { name: /Original mix/ }).getAttribute('aria-checked')).toBe('true');
  });

  it('follows the picture when it is paused and seeked', () => {
    const { video, audio } = setup();
    void video.play();
    video.pause();
    expect(audio('ost').paused).toBe(true);
    video.currentTime = 42;
    fireEvent(video, new Event('seeked'));
    expect(audio('ost').currentTime).toBe(42);
  });
});
