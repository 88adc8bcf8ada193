// The moderator's day, end to end in a real browser: `undub start` (API, a worker, the dashboard) on a
// fresh database, catalog and upload analysed by the real pipeline, then sign in, open the first queued
// item, play the restored OST, switch to the removed BGM at the same position, decide, and find the
// decision in the audit log and in its CSV export. Screenshots go to test-artifacts/e2e/.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser';
import { makeMedia } from './media';
import { repoRoot, startStack, type Stack } from './stack';

const artifacts = path.join(repoRoot, 'test-artifacts', 'e2e');
const log = (m: string) => process.stderr.write(`[e2e] ${m}\n`);

let stack: Stack;
let browser: Browser;

interface JobNode {
  status: string;
  kind: string;
  errorCode: string | null;
  errorMessage: string | null;
}

/** A job no worker has started after this long means the workers lack its handler. */
const UNTAKEN_MS = 90_000;

/** Waits until every job is done; a failed job fails the test with its error. */
async function jobsDone(ms: number): Promise<void> {
  const since = Date.now();
  const until = since + ms;
  for (;;) {
    const d = await stack.gql<{ jobs: { nodes: JobNode[] } }>(
      stack.adminKey,
      `{ jobs(first: 50) { nodes { status kind errorCode errorMessage } } }`,
    );
    const failed = d.jobs.nodes.find((j) => j.status === 'FAILED' || j.status === 'CANCELLED');
    if (failed)
      throw new Error(`${failed.kind} job ${failed.status}: ${failed.errorCode} ${failed.errorMessage}`);
    if (d.jobs.nodes.length > 0 && d.jobs.nodes.every((j) => j.status === 'SUCCEEDED')) return;
    const untaken = d.jobs.nodes.filter((j) => j.status === 'QUEUED');
    if (untaken.length === d.jobs.nodes.length && Date.now() - since > UNTAKEN_MS)
      throw new Error(
        `no worker takes ${[...new Set(untaken.map((j) => j.kind))].join(', ')} jobs (is the pipeline registered?)`,
      );
    if (Date.now() > until)
      throw new Error(`jobs still running after ${ms / 1000} s: ${JSON.stringify(d.jobs.nodes)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}

/** The state of the picture and every stem player on the review page. */
function mediaState(page: Page) {
  return page.evaluate(() => {
    const v = document.querySelector('section[aria-label="Upload"] video') as HTMLVideoElement;
    const stems = Object.fromEntries(
      [...document.querySelectorAll<HTMLAudioElement>('audio[data-stem]')].map((a) => [
        a.dataset.stem,
        { time: a.currentTime, paused: a.paused },
      ]),
    );
    return { video: { time: v.currentTime, paused: v.paused }, stems };
  });
}

beforeAll(async () => {
  await mkdir(artifacts, { recursive: true });
  stack = await startStack({
    workers: 1,
    logFile: path.join(artifacts, 'undub-start.log'),
    log,
    // Every verdict goes to a moderator, whatever its confidence: this test is about the review.
    env: { UNDUB_AUTO_FLAG_CONFIDENCE: '2', UNDUB_AUTO_CLEAR_CONFIDENCE: '2' },
  });
  const media = await makeMedia(stack.ingestDir);
  await stack.gql(
    stack.adminKey,
    `mutation($m: AddMusicTrackInput!, $o: AddOriginalWorkInput!) {
      addMusicTrack(input: $m) { id } addOriginalWork(input: $o) { id } }`,
    {
      m: { path: media.music, externalId: 'm-e2e', title: 'E2E Chords', artist: 'Test Band' },
      o: { path: media.original, externalId: 'o-e2e', title: 'E2E Original', owner: 'Test Studio' },
    },
  );
  await jobsDone(240_000);
  log('catalog indexed');
  // Two uploads, so deciding the first moves on to the second.
  for (const ref of ['e2e-1', 'e2e-2'])
    await stack.gql(
      stack.adminKey,
      `mutation($p: String!, $r: String!) { submitUploadFromPath(path: $p, externalReference: $r) { upload { id } } }`,
      { p: media.upload, r: ref },
    );
  await jobsDone(300_000);
  log('uploads analysed');
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
}, 120_000);

describe('moderator review in the browser', () => {
  it('signs in, reviews the first queued item with the stems in sync, decides, and finds it in the audit log and CSV', async () => {
    const context = await browser.newContext({
      acceptDownloads: true,
      viewport: { width: 1400, height: 1000 },
    });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    // Sign in.
    await page.goto(`${stack.dashboardUrl}/queue`);
    await page.waitForURL(/\/signin/);
    await page.getByLabel('Email').fill(stack.moderator.email);
    await page.getByLabel('Password').fill(stack.moderator.password);
    await shot(page, '01-signin');
    await page.getByRole('button', { name: 'Sign in' }).click();

    // The queue: the analysed upload is there; Enter opens the active (first) row.
    await page.waitForURL(/\/queue/);
    const rows = page.getByRole('grid', { name: 'Review queue' }).locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2);
    await expect.poll(() => rows.first().getAttribute('aria-selected')).toBe('true');
    await shot(page, '02-queue');
    await page.keyboard.press('Enter');

    // The review page.
    await page.waitForURL(/\/review\//);
    const verdictId = page.url().split('/review/')[1];
    await page.locator('[data-ready="true"]').waitFor();
    await page.waitForFunction(() => {
      const v = document.querySelector('section[aria-label="Upload"] video') as HTMLVideoElement | null;
      return v !== null && v.readyState >= 2;
    });

    // Play the restored OST.
    await page.getByRole('radio', { name: /Restored OST/ }).click();
    await page.locator('section[aria-label="Upload"] video').evaluate((v: HTMLVideoElement) => v.play());
    await page.waitForFunction(
      () =>
        (document.querySelector('section[aria-label="Upload"] video') as HTMLVideoElement).currentTime > 2,
    );
    let s = await mediaState(page);
    expect(s.video.paused).toBe(false);
    expect(s.stems.ost.paused).toBe(false);
    expect(Math.abs(s.stems.ost.time - s.video.time)).toBeLessThan(0.3);
    await shot(page, '03-review-ost');

    // Switch to the removed BGM: it takes over at the same position; the OST stops.
    const before = s.video.time;
    await page.getByRole('radio', { name: /Removed BGM/ }).click();
    s = await mediaState(page);
    expect(s.stems.ost.paused).toBe(true);
    expect(s.stems.bgm.paused).toBe(false);
    expect(s.stems.bgm.time).toBeGreaterThanOrEqual(before - 0.05);
    expect(Math.abs(s.stems.bgm.time - s.video.time)).toBeLessThan(0.3);
    await page.waitForTimeout(1000);
    s = await mediaState(page);
    expect(s.stems.bgm.paused).toBe(false);
    expect(s.stems.bgm.time).toBeGreaterThan(before + 0.5); // it really plays on
    expect(Math.abs(s.stems.bgm.time - s.video.time)).toBeLessThan(0.3);
    await page.getByRole('radio', { name: /Removed BGM/ }).focus();
    await shot(page, '04-review-bgm');

    // Decide by keyboard: C, a reason, a note, Ctrl+Enter; the next queued item opens in place.
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('c');
    await page.getByLabel('Reason').selectOption('same_picture');
    await page.getByLabel('Note').fill('e2e: picture re-used, music laid over');
    await shot(page, '05-decision');
    // A marker on the window survives only if the next item opens without a page load.
    await page.evaluate(() => Object.assign(window, { __samePage: true }));
    await page.keyboard.press('Control+Enter');
    await page.waitForURL((url) => url.pathname.startsWith('/review/') && !url.pathname.endsWith(verdictId));
    const nextId = page.url().split('/review/')[1];
    await page.locator(`[data-verdict="${nextId}"]`).waitFor();
    expect(await page.evaluate(() => (window as unknown as { __samePage?: boolean }).__samePage)).toBe(true);
    expect(await page.getByRole('button', { name: /Confirm re-upload/ }).getAttribute('aria-pressed')).toBe(
      'false',
    );
    await shot(page, '06-next-item');

    // Clear the second as original; with nothing left the queue shows.
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('o');
    await page.keyboard.press('Control+Enter');
    await page.waitForURL(/\/queue$/);
    await page.getByText('Nothing waiting for review.').waitFor();

    // The audit log shows the decision, with its report.
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.waitForURL(/\/audit/);
    const row = page
      .getByRole('row')
      .filter({ hasText: `verdict:${verdictId}` })
      .filter({ hasText: 'decision.made' });
    await row.waitFor();
    await expect.poll(() => row.textContent()).toContain('"action":"confirm_reupload"');
    await shot(page, '07-audit');

    // The CSV export holds it too.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const csvPath = path.join(artifacts, 'audit.csv');
    await download.saveAs(csvPath);
    const csv = await readFile(csvPath, 'utf8');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('seq,created_at,actor,action,subject,payload,hash,prev_hash');
    const decisionLine = lines.find((l) => l.includes('decision.made') && l.includes(`verdict:${verdictId}`));
    expect(decisionLine).toBeDefined();
    expect(decisionLine).toContain('same_picture');

    // The printable report of the decision.
    await row.getByRole('link', { name: 'Decision report' }).click();
    await page.getByRole('heading', { name: 'Moderation decision report' }).waitFor();
    expect(await page.locator('article').textContent()).toContain('Confirm re-upload');
    await shot(page, '08-report');

    // The other pages render for the moderator.
    for (const [link, name] of [
      ['Jobs', '09-jobs'],
      ['Music', '10-music'],
      ['Original works', '11-originals'],
    ] as const) {
      await page.getByRole('link', { name: link, exact: true }).click();
      await page
        .getByRole('heading', { name: new RegExp(link === 'Music' ? 'Music tracks' : link) })
        .waitFor();
      // Each lists what the catalog set-up and the upload created.
      await page.locator('tbody tr').first().waitFor();
      await shot(page, name);
    }
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 180_000);
});
