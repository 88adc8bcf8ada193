// The named stages of an analysis, in order, and a clock that times them and reports progress.
export const STAGES = [
  'probe',
  'decode',
  'identify_music',
  'remove_bgm',
  'extract_speech',
  'attribute_music',
  'match_originals',
  'decide',
  'write_outputs',
] as const;

export type StageName = (typeof STAGES)[number];

export interface StageProgress {
  stage: StageName;
  /** Overall progress 0..1 when the stage starts. */
  progress: number;
}

export type ProgressListener = (p: StageProgress) => void | Promise<void>;

/** Rough share of the total time each stage takes, so progress moves evenly. */
const WEIGHT: Record<StageName, number> = {
  probe: 0.02,
  decode: 0.15,
  identify_music: 0.08,
  remove_bgm: 0.35,
  extract_speech: 0.08,
  attribute_music: 0.02,
  match_originals: 0.1,
  decide: 0.01,
  write_outputs: 0.19,
};

export function progressAt(stage: StageName): number {
  let done = 0;
  for (const s of STAGES) {
    if (s === stage) break;
    done += WEIGHT[s];
  }
  return Math.min(1, done);
}

export class StageClock {
  readonly timings: Partial<Record<StageName, number>> = {};
  /** Progress never goes back, even when a stage starts ahead of the ones before it. */
  private progress = 0;

  constructor(private readonly onProgress?: ProgressListener) {}

  async run<T>(stage: StageName, work: () => Promise<T> | T): Promise<T> {
    await this.announce(stage);
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.add(stage, (performance.now() - started) / 1000);
    }
  }

  /**
   * A stage already started (its inputs were ready) while the pipeline goes on with others: timed
   * from here to its end, so overlapping stages add up to more than the wall time. Await the result
   * where it is needed; a failure surfaces there.
   */
  start<T>(stage: StageName, work: Promise<T>): Promise<T> {
    const started = performance.now();
    const timed = work.finally(() => this.add(stage, (performance.now() - started) / 1000));
    const result = this.announce(stage).then(() => timed);
    timed.catch(() => {});
    result.catch(() => {});
    return result;
  }

  /** Records time measured inside another function (stages that run inside one call). */
  add(stage: StageName, seconds: number): void {
    this.timings[stage] = (this.timings[stage] ?? 0) + seconds;
  }

  private async announce(stage: StageName): Promise<void> {
    this.progress = Math.max(this.progress, progressAt(stage));
    await this.onProgress?.({ stage, progress: this.progress });
  }
}
