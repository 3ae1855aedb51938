/**
 * The dashboard in a real browser (Debian's headless Chromium driven by
 * playwright-core) against a server on a generated population: sign in with
 * the keyboard, switch views, cohorts and breakdowns, and check that every
 * chart mark carries the number the API returns. Screenshots of each view go
 * to test-artifacts/screenshots/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemo, type Demo } from '@leerroutes/api/demo';
import type { Report, ReportRow } from '@leerroutes/indicators';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, findChromium } from './browser.js';

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-artifacts', 'screenshots');

interface Mark { [k: string]: string | undefined }

const chromiumLookup = findChromium();

if ('missing' in chromiumLookup) {
  describe('dashboard in a browser', () => {
    // CI installs the browser first, so there a missing one is a broken set-up, not a reason to skip.
    if (process.env['CI'] === 'true') {
      it('needs Chromium', () => {
        throw new Error(`Chromium not found: ${chromiumLookup.missing}. Under CI=true the browser tests must run.`);
      });
    } else {
      it('runs in Chromium', (ctx) => {
        ctx.skip(`Chromium not found: ${chromiumLookup.missing}; the browser tests need it`);
      });
    }
  });
} else {
  const CHROMIUM = chromiumLookup.path;
  describe('dashboard in a browser', () => {
    let demo: Demo;
    let browser: Browser;
    let page: Page;
    const pageErrors: string[] = [];
    let cohorts: string[];

    beforeAll(async () => {
      mkdirSync(SHOTS, { recursive: true });
      demo = await startDemo({ learners: 1500, cohorts: '2012-2013', seed: 7 });
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
      page = await context.newPage();
      page.on('pageerror', (e) => pageErrors.push(e.message));
      page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
      const meta = await api<{ cohorts: { advice: Record<string, string[]> } }>('/api/meta');
      cohorts = meta.cohorts.advice['monitor']!;
    }, 240_000);

    afterAll(async () => {
      await browser?.close();
      await demo?.close();
    });

    async function api<T>(path: string): Promise<T> {
      const res = await fetch(demo.server.url + path, { headers: { authorization: `Bearer ${demo.keys.dashboard}` } });
      expect(res.status, path).toBe(200);
      return res.json() as Promise<T>;
    }
    const report = (indicator: string, p: Record<string, string>) =>
      api<Report>(`/api/indicators/${indicator}?${new URLSearchParams(Object.entries(p).filter(([, v]) => v !== ''))}`);

    /** Waits for the render that follows an action (the panel's generation counter moves on). */
    async function rendered(action: () => Promise<void>): Promise<void> {
      const before = await page.$eval('#panel', (p) => (p as HTMLElement).dataset['ready'] ?? '').catch(() => '');
      await action();
      await page.waitForFunction((prev) => {
        const p = document.querySelector<HTMLElement>('#panel');
        return !!p && p.dataset['ready'] !== undefined && p.dataset['ready'] !== prev && !p.hasAttribute('aria-busy');
      }, before, { timeout: 60_000 });
      expect(await page.$eval('#status', (s) => s.classList.contains('error'))).toBe(false);
    }
    const selection = async () => Object.fromEntries(new URLSearchParams((await page.evaluate(() => location.hash)).slice(1))) as Record<string, string>;
    const marks = (selector: string) => page.$$eval(selector, (els) => els.map((e) => ({ ...(e as SVGElement).dataset })));
    const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    const groupKey = (r: ReportRow) => Object.keys(r.group).length ? Object.entries(r.group).map(([k, v]) => `${k}=${v}`).join(', ') : 'all';
    const shownRows = (rows: readonly ReportRow[]) => rows.filter((r) => r.count !== null && r.count > 0);

    it('signs in with the keyboard and shows the flows of the default cohort as a Sankey diagram', async () => {
      await page.goto(demo.server.url + '/');
      await page.waitForSelector('#key:focus');
      await rendered(async () => {
        await page.keyboard.type(demo.keys.dashboard);
        await page.keyboard.press('Enter');
      });
      expect(await page.textContent('#who')).toContain('dashboard');
      const sel = await selection();
      expect(sel['view']).toBe('flows');
      const flows = await report('flows', { cohortType: sel['cohortType']!, cohort: sel['cohort']!, rules: sel['rules']! });
      const links = await marks('path.link');
      // Links are the edge rows; the node rows (each stage's totals) are the nodes' sizes.
      const edges = flows.rows.filter((r) => r.from !== undefined && r.to !== undefined);
      const expected = shownRows(edges).map((r) => `${r.from}|${r.to}|${r.count}`).sort();
      expect(expected.length).toBeGreaterThan(5);
      expect(links.map((l: Mark) => `${l['from']}|${l['to']}|${l['count']}`).sort()).toEqual(expected);
      const hidden = edges.filter((r) => r.count === null).length;
      if (hidden) expect(await page.textContent('.suppressed-note')).toContain(`${hidden} flows under 10`);
      await shot('flows');
    });

    it('moves to the level distribution with the arrow key; stacked columns carry the API counts', async () => {
      await page.focus('#tab-flows');
      await rendered(() => page.keyboard.press('ArrowRight'));
      const sel = await selection();
      expect(sel['view']).toBe('distribution');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-distribution');
      const dist = await report('distribution', { cohortType: sel['cohortType']!, cohort: sel['cohort']!, rules: sel['rules']! });
      const rects = await marks('rect.mark:not(.suppressed)');
      expect(rects.map((m: Mark) => `${m['offset']}|${m['category']}|${m['count']}`).sort())
        .toEqual(shownRows(dist.rows).map((r) => `${r.offset}|${r.category}|${r.count}`).sort());
      const hiddenOffsets = [...new Set(dist.rows.filter((r) => r.count === null).map((r) => String(r.offset)))].sort();
      expect([...new Set((await marks('rect.mark.suppressed')).map((m: Mark) => m['offset']!))].sort()).toEqual(hiddenOffsets);
      await shot('distribution');
    });

    it('changes the breakdown: one set of columns per group, with the numbers of each group', async () => {
      await rendered(() => page.selectOption('#by', 'gender').then(() => undefined));
      const sel = await selection();
      expect(sel['by']).toBe('gender');
      const dist = await report('distribution', { cohortType: sel['cohortType']!, cohort: sel['cohort']!, rules: sel['rules']!, by: 'gender' });
      const groups = [...new Set(dist.rows.map(groupKey))];
      expect(await page.locator('figure.chart').count()).toBe(Math.min(8, groups.length));
      const rects = await marks('rect.mark:not(.suppressed)');
      expect(rects.map((m: Mark) => `${m['group']}|${m['offset']}|${m['category']}|${m['count']}`).sort())
        .toEqual(shownRows(dist.rows).filter((r) => groups.slice(0, 8).includes(groupKey(r))).map((r) => `${groupKey(r)}|${r.offset}|${r.category}|${r.count}`).sort());
      await shot('distribution-by-gender');
    });

    it('streaming rates: one line per group, each point the API percentage', async () => {
      await rendered(() => page.selectOption('#by', 'parental_education').then(() => undefined));
      await page.focus('#tab-distribution');
      await rendered(() => page.keyboard.press('ArrowRight'));
      const sel = await selection();
      expect(sel['view']).toBe('streams');
      const streams = await report('streams', { cohortType: sel['cohortType']!, cohort: sel['cohort']!, rules: sel['rules']!, by: 'parental_education' });
      const points = await marks('circle.mark');
      const wanted = streams.rows.filter((r) => ['opstroom', 'afstroom', 'half-opstroom', 'half-afstroom', 'repeated'].includes(r.category) && r.percent !== null);
      expect(wanted.length).toBeGreaterThan(10);
      expect(points.map((m: Mark) => `${m['group']}|${m['offset']}|${m['category']}|${m['percent']}`).sort())
        .toEqual(wanted.map((r) => `${groupKey(r)}|${r.offset}|${r.category}|${r.percent}`).sort());
      expect(await page.locator('figure.chart').count()).toBe(5);
      await shot('streams');
    });

    it('changes the cohort: year-3 position against the advice per group shows the new cohort', async () => {
      await page.focus('#tab-streams');
      await rendered(() => page.keyboard.press('ArrowRight'));
      const other = cohorts.find((c) => c !== (/cohort=([^&]+)/.exec(page.url())?.[1]))!;
      await rendered(() => page.selectOption('#cohort', other).then(() => undefined));
      const sel = await selection();
      expect(sel).toMatchObject({ view: 'advice-position', cohort: other, by: 'parental_education' });
      const ap = await report('advice-position', { cohortType: sel['cohortType']!, cohort: other, rules: sel['rules']!, by: 'parental_education' });
      expect((await marks('rect.mark:not(.suppressed)')).map((m: Mark) => `${m['group']}|${m['category']}|${m['count']}`).sort())
        .toEqual(shownRows(ap.rows).map((r) => `${groupKey(r)}|${r.category}|${r.count}`).sort());
      await shot('advice-position');
    });

    it('marks suppressed cells visibly: hatched bars and <10 in the table', async () => {
      await rendered(() => page.selectOption('#by', 'po_school').then(() => undefined));
      const sel = await selection();
      const ap = await report('advice-position', { cohortType: sel['cohortType']!, cohort: sel['cohort']!, rules: sel['rules']!, by: 'po_school' });
      const groupsWithHidden = [...new Set(ap.rows.filter((r) => r.count === null).map(groupKey))].sort();
      expect(groupsWithHidden.length).toBeGreaterThan(0);
      expect((await marks('rect.mark.suppressed')).map((m: Mark) => m['group']!).sort()).toEqual(groupsWithHidden);
      const fill = await page.$eval('rect.mark.suppressed', (r) => r.getAttribute('fill'));
      expect(fill).toMatch(/^url\(#c\d+-hatch\)$/);
      await page.click('details summary');
      expect(await page.locator('td.suppressed', { hasText: '<10' }).count())
        .toBe(ap.rows.filter((r) => r.count === null).length + ap.rows.filter((r) => r.denominator === null).length);
      await shot('suppressed');
    });

    it('compares two rule sets side by side, and downloads the chart as CSV, SVG and PNG', async () => {
      await rendered(() => page.selectOption('#by', '').then(() => undefined));
      await page.focus('#tab-advice-position');
      await rendered(() => page.keyboard.press('ArrowRight'));
      expect(await page.isVisible('#rulesB')).toBe(true);
      const sel = await selection();
      expect(sel['view']).toBe('compare');
      const cmp = await api<{ rows: { category: string; a: { percent: number | null } | null; b: { percent: number | null } | null }[] }>(
        `/api/compare/advice-position?${new URLSearchParams({ cohortType: sel['cohortType']!, cohort: sel['cohort']!, rulesA: sel['rules']!, rulesB: sel['rulesB']! })}`);
      const bars = await marks('rect.mark:not(.suppressed)');
      const expected = cmp.rows.flatMap((r) => (['a', 'b'] as const).filter((s) => r[s]?.percent != null).map((s) => `${s}|${r.category}|${r[s]!.percent}`)).sort();
      expect(expected.length).toBeGreaterThan(4);
      expect(bars.map((m: Mark) => `${m['side']}|${m['category']}|${m['percent']}`).sort()).toEqual(expected);
      await shot('compare');

      const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#chart-compare button[data-download=csv]')]);
      const lines = readFileSync((await csv.path())!, 'utf8').trim().split('\n');
      expect(lines[0]).toBe('group,offset,category,count_a,percent_a,count_b,percent_b');
      expect(lines).toHaveLength(cmp.rows.length + 1);
      const [svg] = await Promise.all([page.waitForEvent('download'), page.click('#chart-compare button[data-download=svg]')]);
      expect(readFileSync((await svg.path())!, 'utf8')).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*<\/svg>$/);
      const [png] = await Promise.all([page.waitForEvent('download'), page.click('#chart-compare button[data-download=png]')]);
      expect(png.suggestedFilename()).toMatch(/\.png$/);
      expect(readFileSync((await png.path())!).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    });

    it('reaches every control with Tab, and loaded without script errors', async () => {
      await page.focus('#logout');
      const seen: string[] = [];
      for (let i = 0; i < 12; i++) {
        await page.keyboard.press('Tab');
        seen.push(await page.evaluate(() => document.activeElement?.id ?? document.activeElement?.tagName ?? ''));
      }
      expect(seen).toEqual(expect.arrayContaining(['cohortType', 'cohort', 'rules', 'rulesB', 'by', 'tab-compare']));
      expect(pageErrors).toEqual([]);
    });
  });
}
