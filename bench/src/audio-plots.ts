// The charts both audio suites (separation, removal) draw: restored-OST quality by OST-to-BGM ratio,
// and speed by input duration.
import { linePlot } from './plot';
import { median, type RatioRow } from './score';
import type { SpeedFigure } from './speed';

/** Median SI-SDR improvement over the mixture per ratio, one line per method. */
export function improvementPlot(
  file: string,
  title: string,
  methods: { name: string; rows: RatioRow[] }[],
): Promise<string> {
  const points = (rows: RatioRow[]) =>
    [...new Set(rows.map((r) => r.ratioDb))]
      .sort((a, b) => a - b)
      .map((ratio): [number, number] => [
        ratio,
        median(rows.filter((r) => r.ratioDb === ratio).map((r) => r.siSdr - r.mixtureSiSdr)),
      ]);
  return linePlot(file, {
    title,
    xLabel: 'OST-to-BGM (dB)',
    yLabel: 'SI-SDR improvement, median (dB)',
    series: methods.map((m) => ({ name: m.name, points: points(m.rows) })),
  });
}

/** Real-time factor (cold and warm) and audio seconds per CPU second by input duration. */
export function speedPlot(file: string, title: string, speed: SpeedFigure[]): Promise<string> {
  return linePlot(file, {
    title,
    xLabel: 'input duration (s, 48 kHz stereo)',
    yLabel: 'x real time',
    logX: true,
    series: [
      { name: 'cold', points: speed.map((s) => [s.seconds, s.realTimeFactor]) },
      { name: 'warm', points: speed.map((s) => [s.seconds, s.warm.realTimeFactor]) },
      { name: 'audio s / CPU s', points: speed.map((s) => [s.seconds, s.perCpuSecond]) },
    ],
  });
}
