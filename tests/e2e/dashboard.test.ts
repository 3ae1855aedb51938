/**
 * The dashboard in a real browser (Debian's headless Chromium driven by
 * playwright-core) against a server on a generated population: sign in with
 * the keyboard, switch views, cohorts, breakdowns and the as-of year, and
 * check that every chart mark carries the number the API returns, that a
 * hidden cell reads "<10" only when it is under the threshold (primary) and
 * "hidden" when it protects another cell (complementary), that no share is
 * drawn under a hidden total, that every Sankey node stands in its stage's
 * column, and that no two labels overlap at 1400x900 or 1024x768.
 * Screenshots of each view go to test-artifacts/screenshots/.
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
const MIN = 10;
const STAGES = ['advice', 'lj1', 'lj3', 'diploma', 'next'];
const STAGE_NAMES = ['advice', 'year 1', 'year 3', 'VO diploma', 'next education'];

interface Mark { [k: string]: string | undefined }
interface Meta { cohorts: { advice: Record<string, string[]>; intake: string[]; leerjaar3: string[] }; schoolYears: string[]; names: { area: Record<string, string>; institution: Record<string, string> } }
interface CompareSide { count: number | null; denominator: number | null; percent: number | null; suppression: 'primary' | 'complementary' | null }
interface Compare { rows: { group: Record<string, string>; offset: number | null; category: string; a: CompareSide | null; b: CompareSide | null }[] }

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
    let meta: Meta;

    beforeAll(async () => {
      mkdirSync(SHOTS, { recursive: true });
      demo = await startDemo({ learners: 1500, cohorts: '2012-2013', seed: 7 });
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
      page = await context.newPage();
      page.on('pageerror', (e) => pageErrors.push(e.message));
      page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
      meta = await api<Meta>('/api/meta');
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
    const qs = (p: Record<string, string | undefined>) => new URLSearchParams(Object.entries(p).filter(([, v]) => v) as [string, string][]).toString();
    const report = (indicator: string, p: Record<string, string | undefined>) => api<Report>(`/api/indicators/${indicator}?${qs(p)}`);
    /** The report the page's selection asks for. */
    const reportFor = async (indicator: string, extra: Record<string, string> = {}) => {
      const s = await selection();
      const perYear = ['school-profile', 'after-mbo'].includes(indicator) && s['scope'] !== 'cohort';
      return report(indicator, { cohortType: s['cohortType'], cohort: perYear ? undefined : s['cohort'], rules: s['rules'], by: s['by'], asOf: s['asOf'], ...extra });
    };

    /** Waits for the render that follows an action (the panel's generation counter moves on). */
    async function rendered(action: () => Promise<unknown>): Promise<void> {
      const before = await page.$eval('#panel', (p) => (p as HTMLElement).dataset['ready'] ?? '').catch(() => '');
      await action();
      await page.waitForFunction((prev) => {
        const p = document.querySelector<HTMLElement>('#panel');
        return !!p && p.dataset['ready'] !== undefined && p.dataset['ready'] !== prev && !p.hasAttribute('aria-busy');
      }, before, { timeout: 60_000 });
      expect(await page.$eval('#status', (s) => s.classList.contains('error')), await page.textContent('#status') ?? '').toBe(false);
    }
    const go = (hash: string) => rendered(async () => { await page.evaluate((h) => { location.hash = h; }, hash); });
    const selection = async () => Object.fromEntries(new URLSearchParams((await page.evaluate(() => location.hash)).slice(1))) as Record<string, string>;
    /** Every mark with its data, the text its chip reads, and its class. */
    const marks = (selector = '.mark') => page.$$eval(selector, (els) => els.map((e) => ({
      ...(e as SVGElement).dataset, tag: e.tagName, cls: e.getAttribute('class') ?? '', text: e.querySelector('.chip-text')?.textContent ?? undefined,
    }))) as Promise<Mark[]>;
    const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    const groupKey = (r: { group: Record<string, string> }) => Object.keys(r.group).length ? Object.entries(r.group).map(([k, v]) => `${k}=${v}`).join(', ') : 'all';
    const str = (v: unknown) => v === null || v === undefined ? '' : String(v);

    /**
     * Every row that has something to draw (a count above 0, or a hidden one)
     * has exactly one mark with its number, its suppression and, when hidden,
     * the chip text that says why: "<10" for primary, "hidden" for complementary.
     */
    function expectMarksMatch(rows: readonly ReportRow[], found: Mark[], key: (r: ReportRow) => string, markKey: (m: Mark) => string, rates = false): void {
      // Shares and counts draw nothing for a zero; a rate of 0% is a point, and a zero count without a rate a chip.
      const drawable = rates ? rows : rows.filter((r) => r.count !== 0);
      expect(drawable.length).toBeGreaterThan(0);
      const byKey = new Map<string, Mark[]>();
      for (const m of found) byKey.set(markKey(m), [...(byKey.get(markKey(m)) ?? []), m]);
      expect([...byKey.keys()].sort()).toEqual(drawable.map(key).sort());
      for (const r of drawable) {
        const [m, ...more] = byKey.get(key(r))!;
        expect(more, key(r)).toEqual([]);
        expect({ count: m!['count'], suppression: m!['suppression'], percent: m!['percent'] }, key(r))
          .toEqual({ count: str(r.count), suppression: str(r.suppression), percent: str(r.percent) });
        if (r.count === null) {
          expect(m!['text'], key(r)).toBe(r.suppression === 'primary' ? `<${MIN}` : 'hidden');
          expect(m!['cls']).toContain(`suppressed ${r.suppression === 'primary' ? 'primary' : 'complementary'}`);
        } else if (r.percent === null) {
          // A shown count without a published share: a chip reading the count, never a sized mark.
          expect(m!['tag'], key(r)).toBe('g');
          expect(m!['text'], key(r)).toBe(String(r.count));
        }
      }
    }

    /** No hidden-cell chip or table cell reads "<10" unless it is primary; complementary ones read "hidden". */
    async function expectNoSmallLabelOnComplementary(): Promise<void> {
      const chips = await marks('.mark.complementary');
      for (const c of chips) expect(c['text'], JSON.stringify(c)).toBe('hidden');
      expect(await page.$$eval('.mark:not(.primary) .chip-text', (ts) => ts.filter((t) => t.textContent?.startsWith('<')).length)).toBe(0);
      expect(await page.$$eval('td.suppressed.complementary', (tds) => tds.filter((t) => !t.textContent?.startsWith('hidden')).map((t) => t.textContent))).toEqual([]);
      expect(await page.$$eval('td', (tds) => tds.filter((t) => t.textContent?.startsWith('<') && !t.classList.contains('primary')).map((t) => t.textContent))).toEqual([]);
    }

    /** The legend of each chart explains each kind of mark the chart draws. */
    async function expectLegendsExplainMarks(): Promise<void> {
      const charts = await page.$$eval('figure.chart svg', (svgs) => svgs.map((svg) => ({
        kinds: [
          svg.querySelector('.mark.primary') ? 'primary' : '', svg.querySelector('.mark.complementary, .rest.unknown') ? 'complementary' : '',
          svg.querySelector('.rest:not(.unknown)') ? 'rest' : '', svg.querySelector('.no-total, .node.total-hidden:not(.marker)') ? 'no-total' : '',
          svg.querySelector('g.mark:not(.suppressed)') ? 'count' : '',
        ].filter(Boolean),
        legend: Array.from(svg.querySelectorAll('.suppression-legend [data-mark]')).map((e) => (e as SVGElement).dataset['mark']!),
      })));
      expect(charts.length).toBeGreaterThan(0);
      for (const c of charts) for (const k of c.kinds) expect(c.legend).toContain(k);
    }

    /** No two labels of a chart overlap on screen (axis ticks, group and node labels, stage headings). */
    async function expectNoOverlappingLabels(): Promise<void> {
      const overlaps = await page.$$eval('figure.chart svg', (svgs) => svgs.flatMap((svg, i) => {
        const boxes = Array.from(svg.querySelectorAll('text.label')).map((t) => ({ text: t.textContent ?? '', r: t.getBoundingClientRect() }));
        const out: string[] = [];
        for (let a = 0; a < boxes.length; a++) for (let b = a + 1; b < boxes.length; b++) {
          const p = boxes[a]!.r, q = boxes[b]!.r;
          const w = Math.min(p.right, q.right) - Math.max(p.left, q.left), h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
          if (w > 0.5 && h > 0.5) out.push(`chart ${i}: "${boxes[a]!.text}" overlaps "${boxes[b]!.text}"`);
        }
        return out;
      }));
      expect(overlaps).toEqual([]);
    }

    /** The view says how many of its hidden cells coarser tables give away exactly when its reports count some. */
    async function expectUnprotectedNote(...reports: Report[]): Promise<number> {
      const n = reports.reduce((sum, r) => sum + (r.unprotected ?? 0), 0);
      const notes = await page.$$eval('.view > .note.warning', (ps) => ps.map((p) => p.textContent ?? ''));
      expect(notes).toEqual(n > 0 ? [expect.stringContaining(`${n} small hidden cell`)] : []);
      return n;
    }

    async function checkView(): Promise<void> {
      await expectNoSmallLabelOnComplementary();
      await expectLegendsExplainMarks();
      await expectNoOverlappingLabels();
    }

    it('signs in with the keyboard; the flows: every drawn link, node total and hidden remainder is the API\'s, every node in its stage column', async () => {
      await page.goto(demo.server.url + '/');
      await page.waitForSelector('#key:focus');
      await rendered(async () => {
        await page.keyboard.type(demo.keys.dashboard);
        await page.keyboard.press('Enter');
      });
      expect(await page.textContent('#who')).toContain('dashboard');
      const sel = await selection();
      expect(sel['view']).toBe('flows');
      const flows = await reportFor('flows');
      await checkFlows(flows.rows);
      await page.click('#chart-flows details summary');
      await checkView();
      await shot('flows');
    });

    async function checkFlows(rows: readonly ReportRow[]): Promise<void> {
      const edges = rows.filter((r) => r.from !== undefined && r.to !== undefined);
      const nodes = rows.filter((r) => r.family.startsWith('node '));
      // Links are the shown edge rows, with their counts.
      const links = await marks('path.link');
      expect(links.map((l) => `${l['from']}|${l['to']}|${l['count']}`).sort()).toEqual(edges.filter((r) => r.count !== null && r.count > 0).map((r) => `${r.from}|${r.to}|${r.count}`).sort());
      // Nodes are the node rows (family `node <stage>`), with their published totals or the reason they are hidden.
      const drawn = await page.$$eval('rect.node', (els) => els.map((e) => {
        const b = (e as SVGRectElement).getBBox();
        return { ...(e as SVGElement).dataset, x: b.x, height: b.height, cls: e.getAttribute('class') ?? '' };
      })) as (Mark & { x: number; height: number; cls: string })[];
      expect(drawn.map((n) => `${n['node']}|${n['count']}|${n['suppression']}`).sort())
        .toEqual(nodes.filter((r) => r.count !== 0).map((r) => `${r.category}|${str(r.count)}|${r.count === null ? r.suppression : ''}`).sort());
      // Every node in its own stage's column: one x per stage, rising with the stage.
      const xs = STAGES.map((s) => [...new Set(drawn.filter((n) => n['node']!.startsWith(`${s}:`)).map((n) => n.x.toFixed(1)))]);
      for (const [i, x] of xs.entries()) expect(x.length, STAGES[i]).toBeLessThanOrEqual(1);
      const present = xs.filter((x) => x.length).map((x) => Number(x[0]));
      expect(present).toEqual([...present].sort((a, b) => a - b));
      expect(new Set(present).size).toBe(present.length);
      for (const n of drawn) expect(n['stage']).toBe(STAGES.find((s) => n['node']!.startsWith(`${s}:`)));
      // One heading per stage present, in order, none twice.
      const headings = await page.$$eval('text.stage-heading', (ts) => ts.map((t) => t.textContent));
      expect(headings).toEqual(STAGE_NAMES.filter((_, i) => xs[i]!.length));
      // Nodes to scale: height per learner is the same for every node with a published total.
      const scaled = drawn.filter((n) => n['count'] && n.height > 4);
      const k = scaled[0]!.height / Number(scaled[0]!['count']);
      for (const n of scaled) expect(Math.abs(n.height - Number(n['count']) * k), n['node']).toBeLessThan(0.6);
      // The hidden flows at each node: the published total minus the drawn flows, to scale, on each side.
      const rests = await page.$$eval('rect.rest', (els) => els.map((e) => ({ ...(e as SVGElement).dataset, height: (e as SVGRectElement).getBBox().height, cls: e.getAttribute('class') ?? '' }))) as (Mark & { height: number; cls: string })[];
      const expected: string[] = [];
      for (const n of nodes) {
        if (n.count === null || n.count === 0) continue;
        const s = STAGES.findIndex((st) => n.category.startsWith(`${st}:`));
        for (const side of ['in', 'out'] as const) {
          if ((side === 'in' && s === 0) || (side === 'out' && s === STAGES.length - 1)) continue;
          const mine = edges.filter((e) => (side === 'out' ? e.from : e.to) === n.category);
          const rest = n.count - mine.reduce((a, e) => a + (e.count ?? 0), 0);
          if (rest > 0) expected.push(`${n.category}|${side}|${rest}|${mine.filter((e) => e.count === null).length}`);
        }
      }
      const known = rests.filter((r) => !r.cls.includes('unknown'));
      expect(known.map((r) => `${r['node']}|${r['side']}|${r['learners']}|${r['hidden']}`).sort()).toEqual(expected.sort());
      for (const r of known) expect(Math.abs(r.height - Number(r['learners']) * k), r['node']).toBeLessThan(0.6);
      // A node whose total is hidden says so; a hidden edge never reads <10 unless primary (the table).
      const hiddenNodes = nodes.filter((r) => r.count === null);
      const nodeLabels = await page.$$eval('text.node-label', (ts) => ts.map((t) => [(t as SVGElement).dataset['node'], t.textContent]));
      for (const [id, text] of nodeLabels) {
        const row = nodes.find((r) => r.category === id)!;
        if (row.count !== null) expect(text).toMatch(new RegExp(` ${row.count}$`));
        else expect(text).toMatch(row.suppression === 'primary' ? /<10$/ : /total hidden$/);
      }
      if (hiddenNodes.length) expect(await page.locator('rect.node.total-hidden').count()).toBe(hiddenNodes.length);
      const hidden = edges.filter((r) => r.count === null);
      if (hidden.length) expect(await page.textContent('.suppressed-note')).toContain(`${hidden.length} flows are hidden (${hidden.filter((r) => r.suppression === 'primary').length} of fewer than 10 learners`);
    }

    it('a year-3 cohort by gender: the cohort type control offers leerjaar3, and the flows of each group keep their columns', async () => {
      expect(await page.$$eval('#cohortType option', (os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(['advice', 'intake', 'leerjaar3']);
      await rendered(() => page.selectOption('#cohortType', 'leerjaar3'));
      expect(await page.$$eval('#cohort option', (os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(meta.cohorts.leerjaar3);
      await rendered(() => page.selectOption('#by', 'gender'));
      const sel = await selection();
      expect(sel).toMatchObject({ cohortType: 'leerjaar3', by: 'gender' });
      const flows = await reportFor('flows');
      const girls = flows.rows.filter((r) => r.group['gender'] === 'f');
      await rendered(() => page.selectOption('#group', 'gender=f'));
      await checkFlows(girls);
      expect(await page.textContent('#chart-flows h3')).toContain('girls');
      await checkView();
      await shot('flows-leerjaar3-girls');
      await rendered(() => page.selectOption('#cohortType', 'advice'));
      await rendered(() => page.selectOption('#by', ''));
    });

    it('levels per year: stacked columns carry the API counts; hidden cells are chips, their sum a block to scale', async () => {
      await page.focus('#tab-flows');
      await rendered(() => page.keyboard.press('ArrowRight'));
      const sel = await selection();
      expect(sel['view']).toBe('distribution');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-distribution');
      const dist = await reportFor('distribution');
      expectMarksMatch(dist.rows, await marks(), (r) => `${groupKey(r)}|${r.offset}|${r.category}`, (m) => `${m['group']}|${m['offset']}|${m['category']}`);
      // Under a published total the hidden cells together are one block of exactly total minus shown.
      const blocks = await page.$$eval('g.column', (cs) => cs.map((c) => ({ offset: (c as SVGElement).dataset['column'], total: (c as SVGElement).dataset['total'],
        rest: (c.querySelector('rect.rest') as SVGRectElement | null)?.getBBox().height ?? 0,
        shown: Array.from(c.querySelectorAll('rect.mark')).reduce((s, r) => s + (r as SVGRectElement).getBBox().height, 0),
        count: Array.from(c.querySelectorAll('rect.mark')).reduce((s, r) => s + Number((r as SVGElement).dataset['count']), 0) })));
      for (const b of blocks) {
        const rows = dist.rows.filter((r) => String(r.offset) === b.offset);
        const hidden = rows.filter((r) => r.count === null);
        const total = rows.find((r) => r.denominator !== null)?.denominator ?? null;
        expect(b.count).toBe(rows.reduce((s, r) => s + (r.count ?? 0), 0));
        if (total !== null && hidden.length && b.count > 0) expect(Math.abs(b.rest / b.shown - (total - b.count) / b.count)).toBeLessThan(0.02);
        else if (total === null || !hidden.length) expect(b.rest).toBe(0);
      }
      await checkView();
      await shot('distribution');
    });

    it('changes the breakdown: one set of columns per group, named in words, each with its numbers', async () => {
      expect(await page.$eval('#by option[value="parental_education"]', (o) => o.textContent)).toBe('parental education');
      expect(await page.$eval('#by option[value="migration_background"]', (o) => o.textContent)).toBe('migration background');
      await rendered(() => page.selectOption('#by', 'area:1'));
      const dist = await reportFor('distribution');
      const groups = [...new Set(dist.rows.map(groupKey))];
      await expectUnprotectedNote(dist);
      expect(await page.locator('figure.chart').count()).toBe(Math.min(8, groups.length));
      const shownGroups = groups.slice(0, 8);
      expectMarksMatch(dist.rows.filter((r) => shownGroups.includes(groupKey(r))), await marks(), (r) => `${groupKey(r)}|${r.offset}|${r.category}`, (m) => `${m['group']}|${m['offset']}|${m['category']}`);
      // Areas by their names from the reference data, not by code.
      const titles = await page.$$eval('figure.chart h3', (hs) => hs.map((x) => x.textContent ?? ''));
      for (const [i, g] of shownGroups.entries()) {
        const code = g.split('=')[1]!;
        expect(meta.names.area[code], code).toBeTruthy();
        expect(titles[i]).toContain(meta.names.area[code]);
      }
      await checkView();
      await shot('distribution-by-region');
    });

    it('streaming rates: each point is the API percentage; a year without a rate is a chip under the axis saying why', async () => {
      await rendered(() => page.selectOption('#by', 'parental_education'));
      await page.focus('#tab-distribution');
      await rendered(() => page.keyboard.press('ArrowRight'));
      expect((await selection())['view']).toBe('streams');
      const streams = await reportFor('streams');
      await expectUnprotectedNote(streams);
      const cats = ['opstroom', 'afstroom', 'half-opstroom', 'half-afstroom', 'repeated'];
      const rows = streams.rows.filter((r) => cats.includes(r.category));
      expect(rows.filter((r) => r.percent !== null).length).toBeGreaterThan(10);
      expectMarksMatch(rows, await marks(), (r) => `${groupKey(r)}|${r.offset}|${r.category}`, (m) => `${m['group']}|${m['offset']}|${m['category']}`, true);
      // Points only where a rate is published; everything else sits in the strip below the axis.
      expect((await marks('circle.mark')).length).toBe(rows.filter((r) => r.percent !== null).length);
      expect(await page.locator('figure.chart').count()).toBe(5);
      // Group names in words in the legends.
      expect(await page.$$eval('#chart-streams-afstroom .category-legend text', (ts) => ts.map((t) => t.textContent))).toEqual(expect.arrayContaining(['high parental education', 'low parental education']));
      await checkView();
      await shot('streams');
    });

    it('year 3 vs advice per primary school: no bar where a total is hidden, shares exactly count / total, a table that reads like the chart', async () => {
      await page.focus('#tab-streams');
      await rendered(() => page.keyboard.press('ArrowRight'));
      await rendered(() => page.selectOption('#by', 'po_school'));
      const ap = await reportFor('advice-position');
      await expectUnprotectedNote(ap);
      expect((await selection())['view']).toBe('advice-position');
      expectMarksMatch(ap.rows, await marks(), (r) => `${groupKey(r)}|${r.category}`, (m) => `${m['group']}|${m['category']}`);
      // A group whose total is hidden (or whose shares are not published) has no sized mark at all.
      const noShares = [...new Set(ap.rows.filter((r) => r.denominator === null || (r.count !== null && r.percent === null)).map(groupKey))];
      expect(noShares.length).toBeGreaterThan(0);
      const sized = await page.$$eval('rect.mark, rect.rest', (rs) => rs.map((r) => (r as SVGElement).dataset['group']));
      for (const g of noShares) expect(sized).not.toContain(g);
      // Shares drawn are count / total of the bar's width.
      const bars = await page.$$eval('g.bar-row', (gs) => gs.map((g) => ({ group: (g as SVGElement).dataset['group'], total: (g as SVGElement).dataset['total'],
        widths: Array.from(g.querySelectorAll('rect.mark, rect.rest')).map((r) => ({ count: (r as SVGElement).dataset['count'], w: (r as SVGRectElement).getBBox().width })) })));
      for (const b of bars.filter((x) => x.widths.length)) {
        const full = b.widths.reduce((s, w) => s + w.w, 0);
        expect(Math.abs(full - 420)).toBeLessThan(0.5);
        for (const w of b.widths.filter((x) => x.count)) expect(Math.abs(w.w / full - Number(w.count) / Number(b.total))).toBeLessThan(0.002);
      }
      // Schools by name.
      const labels = await page.$$eval('g.bar-row', (gs) => gs.map((g) => g.previousElementSibling?.textContent ?? ''));
      const schools = ap.rows.map((r) => meta.names.institution[r.group['po_school']!]).filter(Boolean);
      expect(schools.length).toBeGreaterThan(0);
      expect(labels.filter((l) => schools.some((n) => l.includes(n!))).length).toBe(labels.length);
      // The table: primary cells read <10, complementary ones hidden, hidden totals hidden; nothing else reads <10.
      await page.click('#chart-advice-position details summary');
      expect(await page.locator('td.suppressed.primary', { hasText: `<${MIN}` }).count()).toBe(ap.rows.filter((r) => r.count === null && r.suppression === 'primary').length);
      expect(await page.locator('td.suppressed.complementary', { hasText: 'hidden' }).count()).toBe(ap.rows.filter((r) => r.count === null && r.suppression === 'complementary').length);
      expect(await page.locator('td.hidden-total').count()).toBe(ap.rows.filter((r) => r.denominator === null).length);
      await checkView();
      await shot('advice-position-by-school');
    });

    it('compares two rule sets side by side: bars are published percentages, hidden sides are chips; downloads CSV, SVG and PNG', async () => {
      await rendered(() => page.selectOption('#by', 'parental_education'));
      await page.focus('#tab-advice-position');
      await rendered(() => page.keyboard.press('ArrowRight'));
      expect(await page.isVisible('#rulesB')).toBe(true);
      const sel = await selection();
      expect(sel['view']).toBe('compare');
      const cmp = await api<Compare>(`/api/compare/advice-position?${qs({ cohortType: sel['cohortType'], cohort: sel['cohort'], rulesA: sel['rules'], rulesB: sel['rulesB'], by: sel['by'] })}`);
      const found = await marks('.mark:not(.absent)');
      const sides = cmp.rows.flatMap((r) => (['a', 'b'] as const).filter((s) => r[s]).map((s) => ({ s, r, v: r[s]! })));
      expect(found.map((m) => `${m['side']}|${m['group']}|${m['category']}|${m['count']}|${m['percent']}|${m['suppression']}|${m['text'] ?? ''}`).sort())
        .toEqual(sides.map(({ s, r, v }) => `${s}|${groupKey(r)}|${r.category}|${str(v.count)}|${str(v.percent)}|${str(v.suppression)}|${v.count === null ? (v.suppression === 'primary' ? '<10' : 'hidden') : v.percent === null ? v.count : ''}`).sort());
      expect(found.filter((m) => m['tag'] === 'rect').length).toBe(sides.filter(({ v }) => v.percent !== null).length);
      await checkView();
      await shot('compare');

      const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#chart-compare button[data-download=csv]')]);
      const lines = readFileSync((await csv.path())!, 'utf8').trim().split('\n');
      expect(lines[0]).toBe('group,offset,category,count_a,percent_a,suppression_a,count_b,percent_b,suppression_b');
      expect(lines).toHaveLength(cmp.rows.length + 1);
      const [svg] = await Promise.all([page.waitForEvent('download'), page.click('#chart-compare button[data-download=svg]')]);
      expect(readFileSync((await svg.path())!, 'utf8')).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*<\/svg>$/);
      const [png] = await Promise.all([page.waitForEvent('download'), page.click('#chart-compare button[data-download=png]')]);
      expect(png.suggestedFilename()).toMatch(/\.png$/);
      expect(readFileSync((await png.path())!).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    });

    it('school profiles: per school by name, the pooled percentage and the spread of the yearly ones, as the API gives them', async () => {
      await rendered(() => page.selectOption('#by', ''));
      await rendered(() => page.click('#tab-school-profile'));
      expect(await page.isVisible('#scope')).toBe(true);
      const sp = await reportFor('school-profile');
      const pooled = sp.rows.filter((r) => r.schoolYear === null && r.category === 'afstroom').sort((a, b) =>
        (meta.names.institution[a.group['vo_school']!] ?? '').localeCompare(meta.names.institution[b.group['vo_school']!] ?? ''));
      const shown = pooled.slice(0, 60);
      expectMarksMatch(shown, await marks(), (r) => `${groupKey(r)}|${r.category}`, (m) => `${m['group']}|${m['category']}`, true);
      const spreads = await page.$$eval('g.spread', (gs) => gs.map((g) => ({ ...(g as SVGElement).dataset })));
      expect(spreads.map((s) => `${s['group']}|${s['min']}|${s['max']}|${s['years']}|${s['sd']}`).sort())
        .toEqual(shown.filter((r) => r.spread && r.spread.years >= 2).map((r) => `${groupKey(r)}|${r.spread!.min}|${r.spread!.max}|${r.spread!.years}|${str(r.spread!.sd)}`).sort());
      const labels = await page.$$eval('#chart-school-profile text.label[text-anchor=end]', (ts) => ts.map((t) => t.querySelector('title')?.textContent ?? t.textContent));
      expect(labels.slice(0, 3).every((l) => Object.values(meta.names.institution).some((n) => l!.includes(n)))).toBe(true);
      await rendered(() => page.selectOption('#profileCategory', 'repeated'));
      const repeated = sp.rows.filter((r) => r.schoolYear === null && r.category === 'repeated');
      expect((await marks()).length).toBe(Math.min(60, repeated.length));
      await rendered(() => page.selectOption('#profileCategory', 'afstroom'));
      await checkView();
      await shot('school-profile');
    });

    it('after an mbo diploma: per diploma level, columns per school year with the API counts', async () => {
      await rendered(() => page.click('#tab-after-mbo'));
      const am = await reportFor('after-mbo');
      const groups = [...new Set(am.rows.map(groupKey))].slice(0, 8);
      expectMarksMatch(am.rows.filter((r) => groups.includes(groupKey(r))), await marks(), (r) => `${groupKey(r)}|${r.schoolYear}|${r.category}`, (m) => `${m['group']}|${m['year']}|${m['category']}`);
      expect(await page.textContent('#chart-after-mbo-0 h3')).toContain('mbo 1');
      await checkView();
      await shot('after-mbo');
      // Over one cohort's learners instead of everyone.
      await rendered(() => page.selectOption('#scope', 'cohort'));
      const mine = await reportFor('after-mbo');
      expect(mine.request.cohort).toBe((await selection())['cohort']);
      expectMarksMatch(mine.rows.filter((r) => [...new Set(mine.rows.map(groupKey))].slice(0, 8).includes(groupKey(r))), await marks(), (r) => `${groupKey(r)}|${r.schoolYear}|${r.category}`, (m) => `${m['group']}|${m['year']}|${m['category']}`);
      await rendered(() => page.selectOption('#scope', 'all'));
    });

    it('as of a school year: the control lists the covered years, and the charts show that edition', async () => {
      expect(await page.$$eval('#asOf option', (os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(['', ...meta.schoolYears]);
      await rendered(() => page.click('#tab-distribution'));
      const year = meta.schoolYears[Math.floor(meta.schoolYears.length / 2)]!;
      await rendered(() => page.selectOption('#asOf', year));
      expect((await selection())['asOf']).toBe(year);
      const dist = await reportFor('distribution');
      expect(dist.request.asOfSchoolYear).toBe(year);
      const latest = await reportFor('distribution', { asOf: '' });
      expect(dist.rows.length).toBeLessThan(latest.rows.length);
      expectMarksMatch(dist.rows, await marks(), (r) => `${groupKey(r)}|${r.offset}|${r.category}`, (m) => `${m['group']}|${m['offset']}|${m['category']}`);
      expect(await page.textContent('#chart-distribution-0 h3')).toContain(`as of the end of ${year}`);
      await shot('distribution-as-of');
      await rendered(() => page.selectOption('#asOf', ''));
    });

    it('an empty chart for a cohort the edition does not hold says why, in the words of the API\'s note', async () => {
      const cohort = meta.cohorts.advice['monitor']!.at(-1)!;
      const before = meta.schoolYears.find((y) => y < cohort)!;
      await go(`view=advice-position&cohortType=advice&cohort=${cohort}&rules=monitor&asOf=${before}`);
      const early = await reportFor('advice-position');
      expect(early.rows).toEqual([]);
      expect(early.notes).toEqual([expect.stringContaining(`advice cohort ${cohort} under monitor as of ${before}`)]);
      expect(await page.$$eval('.view > p.note:not(.warning)', (ps) => ps.map((p) => p.textContent ?? ''))).toEqual([`The ${early.notes![0]!.replace(/^the /, '')}.`]);
      await shot('empty-cohort-note');
      await go(`view=advice-position&cohortType=advice&cohort=${cohort}&rules=monitor`);
      expect((await reportFor('advice-position')).notes).toBeUndefined();
      expect(await page.$$eval('.view > p.note:not(.warning)', (ps) => ps.length)).toBe(0);
    });

    it('says so when the API counts hidden cells of the view that coarser tables give away', async () => {
      // The demo's one-way tables protect every small cell, so the count is put into the API's answer on its way.
      await page.route('**/api/indicators/flows?*', async (route) => {
        const res = await route.fetch();
        await route.fulfill({ response: res, json: { ...(await res.json() as Report), unprotected: 3 } });
      });
      try {
        await go('view=flows&cohortType=advice&cohort=' + meta.cohorts.advice['monitor']![0] + '&rules=monitor&by=area');
        expect(await expectUnprotectedNote({ ...(await reportFor('flows')), unprotected: 3 })).toBe(3);
      } finally {
        await page.unroute('**/api/indicators/flows?*');
      }
      await go('view=flows&cohortType=advice&cohort=' + meta.cohorts.advice['monitor']![0] + '&rules=monitor');
      await expectUnprotectedNote(await reportFor('flows'));
    });

    it('explains the categories: a help panel with each term, and a hover title on every mark', async () => {
      await go('view=advice-position&cohortType=advice&cohort=' + meta.cohorts.advice['monitor']![0] + '&rules=monitor');
      await page.click('#help summary');
      const terms = await page.$$eval('#help dt', (ds) => ds.map((d) => d.textContent));
      expect(terms).toEqual(expect.arrayContaining(['opstroom', 'afstroom', 'half opstroom', 'gelijk', 'not comparable', '<10', 'hidden']));
      const titles = await page.$$eval('.mark', (ms) => ms.map((m) => m.querySelector('title')?.textContent ?? ''));
      expect(titles.every((t) => t.length > 0)).toBe(true);
      expect(titles.some((t) => t.includes('\nafstroom: moved to a lower level'))).toBe(true);
      await go('view=streams&cohortType=advice&cohort=' + meta.cohorts.advice['monitor']![0] + '&rules=monitor');
      await page.click('#help summary');
      expect(await page.$$eval('#help dt', (ds) => ds.map((d) => d.textContent))).toEqual(expect.arrayContaining(['repeated a year', 'half afstroom']));
    });

    for (const [width, height] of [[1400, 900], [1024, 768]] as const) {
      it(`no overlapping labels at ${width}x${height} in any view, and a screenshot of each`, async () => {
        const ctx = await browser.newContext({ viewport: { width, height } });
        const p = await ctx.newPage();
        const errors: string[] = [];
        p.on('pageerror', (e) => errors.push(e.message));
        const saved = page;
        page = p;
        try {
          await p.goto(demo.server.url + '/');
          await p.fill('#key', demo.keys.dashboard);
          await rendered(() => p.press('#key', 'Enter'));
          const cohort = meta.cohorts.advice['monitor']![0]!;
          for (const [view, by] of [['flows', ''], ['distribution', 'gender'], ['streams', 'parental_education'], ['advice-position', 'vo_school'], ['compare', 'area:1'], ['school-profile', ''], ['after-mbo', '']]) {
            await go(`view=${view}&cohortType=advice&cohort=${cohort}&rules=monitor${by ? `&by=${by}` : ''}`);
            await expectNoOverlappingLabels();
            await expectNoSmallLabelOnComplementary();
            await p.screenshot({ path: join(SHOTS, `${width}x${height}-${view}.png`), fullPage: true });
          }
          expect(errors).toEqual([]);
        } finally {
          page = saved;
          await ctx.close();
        }
      });
    }

    it('reaches every control with Tab, and loaded without script errors', async () => {
      await go('view=compare&cohortType=advice&cohort=' + meta.cohorts.advice['monitor']![0] + '&rules=monitor');
      await page.focus('#logout');
      const seen: string[] = [];
      for (let i = 0; i < 14; i++) {
        await page.keyboard.press('Tab');
        seen.push(await page.evaluate(() => document.activeElement?.id ?? document.activeElement?.tagName ?? ''));
      }
      expect(seen).toEqual(expect.arrayContaining(['cohortType', 'cohort', 'rules', 'rulesB', 'by', 'asOf', 'tab-compare']));
      expect(pageErrors).toEqual([]);
    });
  });
}
