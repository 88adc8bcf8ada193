// The worker's side of catalog changes: index_music and index_original jobs fingerprint an entry
// the API stored (audio landmarks; frame hashes for originals) into the catalog's tables (the
// catalog module's stores), then mark it indexed. Re-running replaces the fingerprints.
import { fingerprint, SAMPLE_RATE, type Landmarks } from '@undub/inference/fingerprint';
import { decodeAudio } from '@undub/inference/media';
import { hashVideoFile, type FrameHashes } from '@undub/inference/videohash';
import {
  compactIfDue,
  deleteLandmarks,
  insertLandmarks,
  SOURCE_MUSIC,
  SOURCE_ORIGINAL,
  type LandmarkSource,
} from '../catalog/landmark-store';
import { deleteVideoHashes, insertVideoHashes } from '../catalog/video-store';
import { pgTransaction } from '../db';
import { JobError, registerJobHandler, type JobContext } from '../worker/registry';

interface Entry {
  id: string;
  fingerprintKey: number;
  storageKey: string | null;
}

interface IndexState {
  entry?: Entry;
  landmarks?: Landmarks;
  frames?: FrameHashes;
}

function localFile(ctx: JobContext<IndexState>, entry: Entry): string {
  const file = entry.storageKey ? ctx.storage.path?.(entry.storageKey) : undefined;
  if (!file)
    throw new JobError('CATALOG_MEDIA_MISSING', `catalog entry ${entry.id} has no local media`, false);
  return file;
}

async function audioLandmarks(file: string): Promise<Landmarks> {
  const [mono] = await decodeAudio(file, { sampleRate: SAMPLE_RATE, channels: 1 });
  return fingerprint(mono, SAMPLE_RATE);
}

function writeStage(source: LandmarkSource, table: 'MusicTrack' | 'OriginalWork') {
  return {
    name: 'write_index',
    run: async (ctx: JobContext<IndexState>) => {
      const { entry, landmarks, frames } = ctx.state;
      if (!entry || !landmarks) return;
      let count = 0;
      await pgTransaction(ctx.db.pool, async (client) => {
        await deleteLandmarks(client, source, entry.fingerprintKey);
        count = await insertLandmarks(client, source, entry.fingerprintKey, landmarks);
        if (frames) {
          await deleteVideoHashes(client, entry.fingerprintKey);
          await insertVideoHashes(client, entry.fingerprintKey, frames);
        }
        await client.query(`UPDATE "${table}" SET "indexedAt" = now() WHERE id = $1`, [entry.id]);
      });
      const kind = source === SOURCE_MUSIC ? 'music' : 'original';
      await ctx.audit(`catalog.${kind}_indexed`, `${kind}:${entry.id}`, {
        landmarks: count,
        frames: frames?.hi.length ?? 0,
      });
    },
  };
}

/** Merges the landmark store's full blocks once the catalog has moved on to a new one. */
function compactStage(source: LandmarkSource) {
  return {
    name: 'compact_index',
    run: async (ctx: JobContext<IndexState>) => {
      const { entry, landmarks } = ctx.state;
      if (!entry || !landmarks) return;
      // Maintenance of the store, not a catalog change: no audit event.
      await compactIfDue(
        ctx.db.pool,
        source,
        entry.fingerprintKey,
        landmarks.hashes,
        (done, total) => void ctx.setProgress(done / total),
      );
    },
  };
}

export function registerCatalogIndexHandlers(): void {
  registerJobHandler<IndexState>({
    kind: 'index_music',
    stages: [
      {
        name: 'fingerprint',
        weight: 4,
        run: async (ctx) => {
          // Removed before the worker got to it: nothing to index.
          const entry = ctx.job.musicTrackId
            ? await ctx.db.prisma.musicTrack.findUnique({ where: { id: ctx.job.musicTrackId } })
            : null;
          if (!entry) return;
          ctx.state.entry = entry;
          ctx.state.landmarks = await audioLandmarks(localFile(ctx, entry));
        },
      },
      writeStage(SOURCE_MUSIC, 'MusicTrack'),
      compactStage(SOURCE_MUSIC),
    ],
  });
  registerJobHandler<IndexState>({
    kind: 'index_original',
    stages: [
      {
        name: 'fingerprint',
        weight: 4,
        run: async (ctx) => {
          const entry = ctx.job.originalWorkId
            ? await ctx.db.prisma.originalWork.findUnique({ where: { id: ctx.job.originalWorkId } })
            : null;
          if (!entry) return;
          const file = localFile(ctx, entry);
          ctx.state.entry = entry;
          ctx.state.landmarks = await audioLandmarks(file);
          ctx.state.frames = await hashVideoFile(file);
        },
      },
      writeStage(SOURCE_ORIGINAL, 'OriginalWork'),
      compactStage(SOURCE_ORIGINAL),
    ],
  });
}
