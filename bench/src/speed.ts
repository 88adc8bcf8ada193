// Speed measurements for suites: the work runs in a child process so its peak memory is its own, and
// CPU time is reported beside wall time because the shared machine's load distorts the latter. Each
// size runs twice: cold (a fresh process) and warm.
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { markdownTable } from './score';

export interface SpeedRun {
  wallSeconds: number;
  realTimeFactor: number;
  /** CPU seconds (all threads) the work used: on a busy machine the wall time says little. */
  cpuSeconds: number;
  /** Audio seconds per CPU second: a lower bound on the real-time factor of an idle machine. */
  perCpuSecond: number;
}

/** The first run in a fresh process (compilation, first-touched memory) and a second one, as in a running worker. */
export interface SpeedFigure extends SpeedRun {
  seconds: number;
  warm: SpeedRun;
  /** Peak resident memory over both runs. */
  peakRssMb: number;
  /** 1-minute load average when the runs ended: how busy the shared machine was. */
  loadAverage: number;
}

/** Runs `script` (a suite file) as a child with `args`; it answers with one SpeedFigure on stdout. */
export function speedInChild(script: string, args: string[]): Promise<SpeedFigure> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.on('error', reject);
    proc.on('close', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop()!))
        : reject(new Error(`speed child exited ${code}`)),
    );
  });
}

async function timeRun(seconds: number, work: () => unknown): Promise<SpeedRun> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await work();
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    wallSeconds: wall,
    realTimeFactor: seconds / wall,
    cpuSeconds,
    perCpuSecond: seconds / cpuSeconds,
  };
}

/** In the child: times `work` on `seconds` of audio, cold then warm, and writes the SpeedFigure to stdout. */
export async function reportSpeed(seconds: number, work: () => unknown): Promise<void> {
  const cold = await timeRun(seconds, work);
  const warm = await timeRun(seconds, work);
  const figure: SpeedFigure = {
    seconds,
    ...cold,
    warm,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    loadAverage: loadavg()[0],
  };
  process.stdout.write(`${JSON.stringify(figure)}\n`);
}

/** The speed table both audio suites print. */
export function speedTable(speed: SpeedFigure[]): string {
  return markdownTable(
    [
      'input (48 kHz stereo)',
      'wall s',
      'x real time',
      'CPU s',
      'audio s per CPU s',
      'warm: wall s',
      'warm: x real time',
      'warm: audio s per CPU s',
      'peak RSS MB',
      'load avg',
    ],
    speed.map((s) => [
      `${s.seconds} s`,
      s.wallSeconds.toFixed(2),
      s.realTimeFactor.toFixed(1),
      s.cpuSeconds.toFixed(2),
      s.perCpuSecond.toFixed(1),
      s.warm.wallSeconds.toFixed(2),
      s.warm.realTimeFactor.toFixed(1),
      s.warm.perCpuSecond.toFixed(1),
      s.peakRssMb.toFixed(0),
      s.loadAverage.toFixed(1),
    ]),
  );
}

/** What the speed columns mean, for the suites' notes. */
export const SPEED_NOTE =
  'Speed: each size in a fresh child process, run twice on the same input: first (compilation and first-touched ' +
  'memory included, as a one-off CLI call) and warm (as in a running worker). CPU s counts all threads; audio s per ' +
  'CPU s is what one core does, so two idle cores give up to twice that in real time. Load avg: 1-minute load ' +
  'average of the shared machine when the runs ended.';
