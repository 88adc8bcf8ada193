// Lookups the analysis pipeline calls with already decoded data (identify-file.ts reads a file for them).
import {
  matchQuery,
  MIN_CONFIDENCE,
  queryFingerprint,
  type FingerprintMatch,
  type FingerprintQuery,
  type Segment,
} from '@undub/inference/fingerprint';
import {
  HASH_FPS,
  hashFrames,
  matchSequences,
  type SequenceMatch,
  type VideoSegment,
} from '@undub/inference/videohash';
import type { Database } from '../db';
import { catalogContext, type CatalogOptions } from './context';
import { PgLandmarkIndex, SOURCE_MUSIC, SOURCE_ORIGINAL } from './landmark-store';
import { candidateWorks, loadVideoHashes } from './video-store';
import { settleRepeat } from './repeats';

export interface MusicMatch {
  musicId: string;
  title: string;
  confidence: number;
  /** Playback speed of the upload relative to the catalog track. */
  speed: number;
  segments: Segment[];
  votes: number;
  /**
   * What identified it: the landmarks' votes and verification, or, for music too far under the
   * soundtrack for those, the reference's waveform found in the upload (waveform-check.ts).
   */
  evidence: 'landmarks' | 'waveform';
  /** The original work whose soundtrack was removed from the upload before the music was found under it. */
  beneath?: string;
}

export interface DecodedFrames {
  fps: number;
  width: number;
  height: number;
  frames: Uint8Array[];
}

export interface OriginalMatch {
  originalId: string;
  title: string;
  confidence: number;
  audio: { score: number; segments: Segment[]; speed?: number };
  video: { score: number; segments: VideoSegment[]; mirrored: boolean; speed?: number };
}

async function keysOf(
  db: Database,
  table: 'MusicTrack' | 'OriginalWork',
  tenantId: string,
): Promise<Map<number, { externalId: string; title: string }>> {
  const { rows } = await db.pool.query<{ fingerprintKey: number; externalId: string; title: string }>(
    `SELECT "fingerprintKey", "externalId", title FROM "${table}" WHERE "tenantId" = $1 AND "indexedAt" IS NOT NULL`,
    [tenantId],
  );
  return new Map(rows.map((r) => [r.fingerprintKey, { externalId: r.externalId, title: r.title }]));
}

/** The query of `mono` (one signal, or several read as one), or none when it is under a second long. */
function queryOf(mono: Float32Array | Float32Array[], sampleRate: number): FingerprintQuery | undefined {
  const length = Array.isArray(mono) ? mono[0].length : mono.length;
  return length < sampleRate ? undefined : queryFingerprint(mono, sampleRate);
}

async function audioMatches(
  db: Database,
  source: 1 | 2,
  items: Map<number, unknown>,
  query: FingerprintQuery | undefined,
  reportConfidence?: number,
) {
  if (items.size === 0 || !query) return [];
  const index = new PgLandmarkIndex(db.pool, source, new Set(items.keys()));
  return matchQuery(query, index, { reportConfidence });
}

export interface MusicLookup {
  /** Tracks identified (confidence of a match). */
  matches: MusicMatch[];
  /**
   * The best of the rest, most confident first, when nothing was identified: candidates to check
   * further (waveform-check.ts), with the key of their stored landmarks.
   */
  shortlist: { match: MusicMatch; fingerprintKey: number }[];
  /** What was looked up (none for audio under a second). */
  query?: FingerprintQuery;
}

/** Candidates kept for a further check when a lookup identifies nothing. */
const SHORTLIST = 2;
/**
 * Confidence a candidate needs to be worth that check. Music 10 dB under speech that the lookups could
 * not settle still scored 0.012 or more on the development set; most chance candidates score less.
 */
const SHORTLIST_MIN_CONFIDENCE = 0.005;

/** Catalog music in `mono`: one signal, or several read as one query (queryFingerprint). */
export async function lookupMusic(
  db: Database,
  mono: Float32Array | Float32Array[],
  sampleRate: number,
  opts: CatalogOptions = {},
): Promise<MusicLookup> {
  const { tenantId } = await catalogContext(db, opts);
  const tracks = await keysOf(db, 'MusicTrack', tenantId);
  const query = queryOf(mono, sampleRate);
  const found = await audioMatches(db, SOURCE_MUSIC, tracks, query, 0);
  const toMatch = (m: FingerprintMatch): MusicMatch => ({
    musicId: tracks.get(m.key)!.externalId,
    title: tracks.get(m.key)!.title,
    confidence: round(m.confidence),
    speed: m.speed,
    segments: m.segments.map(roundSegment),
    votes: m.votes,
    evidence: 'landmarks',
  });
  // Each identified track at the repeat of its passage the upload holds (the first signal is the upload's).
  const mixture = Array.isArray(mono) ? mono[0] : mono;
  const matches = await Promise.all(
    found
      .filter((m) => m.confidence >= MIN_CONFIDENCE)
      .map((m) => settleRepeat(db, mixture, sampleRate, query!, toMatch(m), m.key, opts)),
  );
  const shortlist = matches.length
    ? []
    : found.filter((m) => m.confidence >= SHORTLIST_MIN_CONFIDENCE).slice(0, SHORTLIST);
  return { matches, shortlist: shortlist.map((m) => ({ match: toMatch(m), fingerprintKey: m.key })), query };
}

export async function identifyMusic(
  db: Database,
  mono: Float32Array | Float32Array[],
  sampleRate: number,
  opts: CatalogOptions = {},
): Promise<MusicMatch[]> {
  return (await lookupMusic(db, mono, sampleRate, opts)).matches;
}

/** Original-work matches from this confidence up re-use the work; below it, only their sound is shared. */
export const MATCH_CONFIDENCE = 0.5;
const SHARED_SOUND_WEIGHT = 0.4;
/** Video evidence under this (3 s of matching picture, chance agreements of a few frames) shows none of a work. */
const PICTURE_SHOWN = 0.25;

/** Video evidence counts from this fraction of matching frames up; all frames matching gives 1. */
const VIDEO_FLOOR = 0.3;
const MIN_VIDEO_FRAMES = 4;

/** Seconds of matching picture that are as conclusive as a whole matching upload. */
export const FULL_VIDEO_MATCH_SECONDS = 12;

function videoConfidence(m: SequenceMatch | undefined): number {
  if (!m || m.matchedFrames < MIN_VIDEO_FRAMES) return 0;
  const share = (m.score - VIDEO_FLOOR) / (0.8 - VIDEO_FLOOR);
  // A long upload that loops or re-uses part of an original matches in a small share of its frames,
  // but for many seconds.
  const seconds = m.matchedFrames / HASH_FPS / FULL_VIDEO_MATCH_SECONDS;
  return Math.max(0, Math.min(1, Math.max(share, seconds)));
}

export async function matchOriginals(
  db: Database,
  input: { audio?: { mono: Float32Array; sampleRate: number }; frames?: DecodedFrames },
  opts: CatalogOptions = {},
): Promise<OriginalMatch[]> {
  const { tenantId } = await catalogContext(db, opts);
  const works = await keysOf(db, 'OriginalWork', tenantId);
  if (works.size === 0) return [];
  const audio = new Map<number, FingerprintMatch>();
  if (input.audio) {
    const query = queryOf(input.audio.mono, input.audio.sampleRate);
    const found = await audioMatches(db, SOURCE_ORIGINAL, works, query);
    for (const m of found) audio.set(m.key, m);
  }
  const video = new Map<number, SequenceMatch>();
  let pictured = false;
  if (input.frames && input.frames.frames.length > 0) {
    // The crop variants let an upload cropped by up to 10% line up with the stored centre region.
    const q = hashFrames(input.frames, { crops: true });
    pictured = q.informative.reduce((n, x) => n + x, 0) >= MIN_VIDEO_FRAMES;
    const keys = new Set(works.keys());
    const candidates = new Set([...(await candidateWorks(db.pool, q, keys)), ...audio.keys()]);
    for (const key of candidates) {
      const m = matchSequences(q, await loadVideoHashes(db.pool, key, HASH_FPS));
      if (m) video.set(key, m);
    }
  }
  const out: OriginalMatch[] = [];
  for (const key of new Set([...audio.keys(), ...video.keys()])) {
    const a = audio.get(key);
    const v = video.get(key);
    const vc = videoConfidence(v);
    const ac = a?.confidence ?? 0;
    // A soundtrack match under a picture that shows none of the work (a shared stock ambience, a common
    // jingle) is evidence about the sound, not a re-use of the work: it stays in the list for the
    // verdict to weigh, under the confidence of a match.
    const confidence = pictured && vc < PICTURE_SHOWN ? SHARED_SOUND_WEIGHT * ac : 1 - (1 - ac) * (1 - vc);
    if (confidence < MATCH_CONFIDENCE && ac < MATCH_CONFIDENCE) continue;
    out.push({
      originalId: works.get(key)!.externalId,
      title: works.get(key)!.title,
      confidence: round(confidence),
      audio: {
        score: round(a?.confidence ?? 0),
        segments: (a?.segments ?? []).map(roundSegment),
        ...(a ? { speed: a.speed } : {}),
      },
      video: {
        score: round(v?.score ?? 0),
        segments: (vc > 0 ? v!.segments : []).map(roundSegment),
        mirrored: vc > 0 && v!.mirrored,
        ...(vc > 0 ? { speed: v!.speed } : {}),
      },
    });
  }
  return out.sort(
    (x, y) => y.confidence - x.confidence || y.audio.score + y.video.score - x.audio.score - x.video.score,
  );
}

/** Confidences and times as reported: to the thousandth. */
export const round = (x: number) => Math.round(x * 1000) / 1000;
function roundSegment<T extends { start: number; end: number; refStart: number }>(s: T): T {
  return { ...s, start: round(s.start), end: round(s.end), refStart: round(s.refStart) };
}
