// `undub analyze VIDEO --out DIR`: the whole analysis of one file, without the service. Writes
// DIR/ost.wav, DIR/bgm.wav, DIR/restored.mp4 (and browser formats) and prints the report.
import path from 'node:path';
import type { Command } from 'commander';
import { loadSeparator } from '@undub/inference/separation';
import { loadConfig } from '../config';
import { openDatabase } from '../db';
import { analyzeFile } from '../pipeline/analyze';
import { analysisReport } from '../pipeline/report';
import { CliError, printResult, progress } from './output';

export function registerAnalyzeCommands(program: Command): void {
  program
    .command('analyze')
    .description(
      'remove the background music of a video, identify it, and judge whether the video is a re-upload',
    )
    .argument('<video>', 'the upload to analyse')
    .requiredOption('--out <dir>', 'directory for ost.wav, bgm.wav, restored.mp4 and the browser stems')
    .option('--no-restore', 'match the unrestored mixture against the catalog (for comparison)')
    .action(async (video: string, opts: { out: string; restore: boolean }) => {
      if (!video) throw new CliError('CLI_USAGE', 'name the video to analyse');
      const config = loadConfig();
      const db = await openDatabase(config);
      const separator = await loadSeparator();
      try {
        const analysis = await analyzeFile(
          path.resolve(video),
          { db, config, separator },
          {
            outDir: path.resolve(opts.out),
            restore: opts.restore,
            onProgress: (p) => progress(`${(p.progress * 100).toFixed(0).padStart(3)}% ${p.stage}`),
          },
        );
        const report = analysisReport(analysis);
        const v = report.originality;
        printResult(
          report,
          [
            `verdict: ${v.verdict}${v.originalId ? ` of ${v.originalId}` : ''} (confidence ${v.confidence}, ${v.routing})`,
            `music: ${report.bgm.identified.map((m) => m.musicId).join(', ') || (report.bgm.present ? 'unknown music removed' : 'none')}`,
            `outputs: ${[report.stems.ost, report.stems.bgm, report.restoredVideo].filter(Boolean).join(', ')}`,
          ].join('\n'),
        );
      } finally {
        await separator.release();
        await db.close();
      }
    });
}
