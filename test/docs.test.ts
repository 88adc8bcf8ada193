// The README is the user's manual: its settings table must list exactly the settings of
// apps/api/src/config.ts, and its commands must be the ones CI and npm run.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

describe('README', () => {
  const readme = read('README.md');

  it('lists every setting of config.ts in its settings table, and no other', () => {
    const config = read('apps/api/src/config.ts');
    const envBlock = config.slice(config.indexOf('const envNames'));
    const settings = [...envBlock.matchAll(/^\s+\w+: '([A-Z_]+)',$/gm)].map((m) => m[1]);
    expect(settings.length).toBeGreaterThan(5);
    const table = readme.slice(readme.indexOf('## Settings'), readme.indexOf('## Architecture'));
    const rows = [...table.matchAll(/^\| `([A-Z_]+)`/gm)].map((m) => m[1]);
    expect([...rows].sort()).toEqual([...settings].sort());
  });

  it('gives the commands that package.json and CI run', () => {
    const scripts = JSON.parse(read('package.json')).scripts;
    expect(scripts.start).toBe('node apps/api/bin/undub.mjs start');
    expect(readme).toMatch(/^npm start /m);
    expect(readme).toMatch(/^npm test /m);
    const ci = read('.ci/run').trim().split('\n');
    expect(ci).toContain('npm test');
    expect(ci).toContain('npm ci --no-audit --no-fund');
  });
});
