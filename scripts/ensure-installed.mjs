#!/usr/bin/env node
// Runs before `npm start` and `npm test` so that a fresh clone needs only those two commands: installs
// the npm dependencies once (exactly as locked) when they are missing, and says plainly what else is
// missing from the machine. Plain Node, no dependencies: it runs before anything is installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

if (
  !existsSync(path.join(root, 'node_modules', 'tsx')) ||
  !existsSync(path.join(root, 'node_modules', '.package-lock.json'))
) {
  process.stderr.write('undub: first run: installing dependencies (npm ci)…\n');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: 'inherit',
    // onnxruntime-node's install script downloads GPU libraries; its CPU library ships in the package.
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (result.status !== 0) {
    process.stderr.write('undub: npm ci failed (see above)\n');
    process.exit(result.status ?? 1);
  }
}

try {
  execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
} catch {
  process.stderr.write('undub: ffmpeg is not installed; on Debian/Ubuntu: sudo apt-get install -y ffmpeg\n');
  process.exit(1);
}
