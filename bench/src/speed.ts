// Speed measurements for suites: the work runs in a child process so its peak memory is its own, and
// CPU time is reported beside wall time because the shared machine's load distorts the latter.
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';

export interface SpeedFigure {
  seconds: number;
  wallSeconds: number;
  realTimeFactor: number;
  /** CPU seconds (all threads) the work used: on a busy machine the wall time says little. */
  cpuSeconds: number;
  /** Audio seconds per CPU second: a lower bound on the real-time factor of an idle machine. */
  perCpuSecond: number;
  peakRssMb: number;
  /** 1-minute load average when the run ended: how busy the shared machine was. */
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

/** In the child: times `work` on `seconds` of audio and writes the SpeedFigure to stdout. */
export async function reportSpeed(seconds: number, work: () => unknown): Promise<void> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await work();
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const figure: SpeedFigure = {
    seconds,
    wallSeconds: wall,
    realTimeFactor: seconds / wall,
    cpuSeconds,
    perCpuSecond: seconds / cpuSeconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    loadAverage: loadavg()[0],
  };
  process.stdout.write(`${JSON.stringify(figure)}\n`);
}
