// `undub identify FILE`: music and original works found in a media file.
import { loadSeparator } from '@undub/inference/separation';
import type { Command } from 'commander';
import { identifyFile } from '../catalog';
import { withCatalogDatabase } from './catalog';
import { printResult, progress } from './output';

export function registerIdentifyCommand(program: Command): void {
  program
    .command('identify <file>')
    .description('identify catalog music and original works in a media file')
    .action(async (file: string) => {
      progress(`identifying ${file}`);
      // The separation model joins the lookup when the mixture alone finds no music, as in `undub analyze`.
      const separator = await loadSeparator();
      const result = await withCatalogDatabase((db) => identifyFile(db, file, separator)).finally(() =>
        separator.release(),
      );
      const lines = [
        ...result.music.map(
          (m) =>
            `music    ${m.musicId}\t${m.title}\tconfidence ${m.confidence} (${m.evidence})\tspeed ${m.speed}\t${m.segments.map((s) => `${s.start.toFixed(1)}-${s.end.toFixed(1)} s (ref ${s.refStart.toFixed(1)} s)`).join(', ')}`,
        ),
        ...result.originals.map(
          (o) =>
            `original ${o.originalId}\t${o.title}\tconfidence ${o.confidence}\taudio ${o.audio.score} video ${o.video.score}${o.video.mirrored ? ' (mirrored)' : ''}`,
        ),
      ];
      printResult(result, lines.length ? lines.join('\n') : 'no catalog music or original work found');
    });
}
