import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { ageOn, givesStartkwalificatie, parseVoLevel } from '@leerroutes/domain';
import type { World } from './life.js';
import type { LearnerRecord } from './records.js';

/**
 * The published figures of SPEC section 1 that the generator is calibrated
 * to, computed the way the source documents define them, from what a data
 * set contains (the CSV columns), never from the generator's internals:
 *
 * - **year-3 havo/vwo** (question 4: 26.7% in Rotterdam Zuid vs 41.3% in the
 *   rest of Rotterdam): learners with a VO row in grade 3; their year-3 row is
 *   the earliest such row; the share whose level there parses to a span with
 *   lower rank >= havo (havo, vwo, havo/vwo, aliases included). Every grade-3
 *   row counts in the denominator, pro and vso included. Area: the
 *   learners.csv row valid on 1 August of the year-3 school year (the
 *   leerjaar3 cohort's start, as the engine takes background values).
 * - **early leavers** (question 9, SPEC 6 `early-leavers`: vo 15,822 : mbo
 *   35,913 = 1 : 2.27): per school year t whose t+1 reference date is covered
 *   and per sector of the row on t: rows on t in mbo, or in VO at a level
 *   other than pro and vso, of learners aged 12..22 on t's reference date
 *   (age from the birth month, born on its first day), with no row of any
 *   sector on t+1 and no startkwalificatie diploma (havo, vwo, mbo-2+)
 *   awarded before t+1's reference date. Summed over t.
 * - **after mbo** (question 8: 68.4% of mbo-1 and 61.8% of mbo-2 graduates in
 *   a higher-level programme a year later, Rotterdam Zuid): per mbo diploma of
 *   school year t whose t+1 reference date is covered, the row on t+1's
 *   reference date (the first after the diploma): `mbo-higher` (mbo at a
 *   higher level), `hbo`, or anything else. Two readings: mbo-higher only
 *   (the one calibrated), and mbo-higher or hbo. Area: the learners.csv row
 *   valid on 1 August of t.
 */

/** One learner as the CSVs describe it, in the columns the three figures need. */
export interface FigureLearner {
  readonly background: readonly { readonly birthMonth: string; readonly validFrom: string; readonly area: string }[];
  /** Sorted by reference date. */
  readonly enrolments: readonly { readonly referenceDate: string; readonly sector: string; readonly level: string; readonly grade: number }[];
  readonly diplomas: readonly { readonly schoolYear: number; readonly awardedOn: string; readonly level: string }[];
}

export interface FigureContext {
  /** The Zuid-like district and the municipality whose rest it is compared with. */
  readonly zuid: string;
  readonly city: string;
  readonly parentOf: (area: string) => string | undefined;
  /** The newest covered reference date: school years whose t+1 lies beyond it have no outcome. */
  readonly lastReferenceDate: string;
}

export interface Share {
  n: number;
  k: number;
}
export type AreaGroup = 'zuid' | 'rest-of-city' | 'elsewhere';
export const AREA_GROUPS: readonly AreaGroup[] = ['zuid', 'rest-of-city', 'elsewhere'];
export const MBO_LEVELS = ['mbo-1', 'mbo-2', 'mbo-3', 'mbo-4'] as const;

export interface AfterMbo {
  graduates: number;
  mboHigher: number;
  hbo: number;
}

export interface PublishedFiguresResult {
  readonly year3HavoVwo: Record<AreaGroup, Share>;
  /** k: early leavers, n: learners of the sector on t who meet the level and age conditions (summed over t). */
  readonly earlyLeavers: { vo: Share; mbo: Share };
  readonly afterMbo: Record<AreaGroup, Record<(typeof MBO_LEVELS)[number], AfterMbo>>;
}

/** VO levels the early-leavers count leaves out (SPEC 6). */
const NOT_COUNTED_IN_VO = new Set(['pro', 'vso']);

const spans = new Map<string, { low: number } | null>();
function lowRank(level: string): number | null {
  let s = spans.get(level);
  if (s === undefined) {
    const r = parseVoLevel(level);
    s = E.isRight(r) ? r.right.span : null;
    spans.set(level, s);
  }
  return s?.low ?? null;
}
const codes = new Map<string, string>();
function canonical(level: string): string {
  let c = codes.get(level);
  if (c === undefined) {
    const r = parseVoLevel(level);
    c = E.isRight(r) ? r.right.code : level;
    codes.set(level, c);
  }
  return c;
}

const HAVO = 4;
const nextYear = (referenceDate: string): string => `${Number(referenceDate.slice(0, 4)) + 1}-10-01`;

export class PublishedFigures {
  private readonly year3: Record<AreaGroup, Share> = { zuid: { n: 0, k: 0 }, 'rest-of-city': { n: 0, k: 0 }, elsewhere: { n: 0, k: 0 } };
  private readonly leavers = { vo: { n: 0, k: 0 }, mbo: { n: 0, k: 0 } };
  private readonly mbo = Object.fromEntries(AREA_GROUPS.map((g) => [g, Object.fromEntries(MBO_LEVELS.map((l) => [l, { graduates: 0, mboHigher: 0, hbo: 0 }]))])) as PublishedFiguresResult['afterMbo'];

  constructor(private readonly ctx: FigureContext) {}

  private groupOn(l: FigureLearner, date: string): AreaGroup {
    let area: string | null = null;
    for (const b of l.background) if (b.validFrom <= date) area = b.area;
    if (area === this.ctx.zuid) return 'zuid';
    if (area !== null && this.ctx.parentOf(area) === this.ctx.city) return 'rest-of-city';
    return 'elsewhere';
  }

  add(l: FigureLearner): void {
    const { lastReferenceDate } = this.ctx;
    const rowOn = (date: string) => l.enrolments.find((e) => e.referenceDate === date);

    const y3 = l.enrolments.find((e) => e.sector === 'vo' && e.grade === 3);
    if (y3) {
      const s = this.year3[this.groupOn(l, `${y3.referenceDate.slice(0, 4)}-08-01`)];
      s.n++;
      const low = lowRank(y3.level);
      if (low !== null && low >= HAVO) s.k++;
    }

    const birthMonth = l.background[0]?.birthMonth;
    for (const e of l.enrolments) {
      if (e.sector !== 'vo' && e.sector !== 'mbo') continue;
      if (e.sector === 'vo' && NOT_COUNTED_IN_VO.has(canonical(e.level))) continue;
      const next = nextYear(e.referenceDate);
      if (next > lastReferenceDate || birthMonth === undefined) continue;
      const age = ageOn(birthMonth, e.referenceDate);
      if (age < 12 || age > 22) continue;
      const s = this.leavers[e.sector];
      s.n++;
      if (rowOn(next)) continue;
      if (l.diplomas.some((d) => d.awardedOn < next && givesStartkwalificatie(d.level))) continue;
      s.k++;
    }

    for (const d of l.diplomas) {
      if (!d.level.startsWith('mbo-')) continue;
      const next = `${d.schoolYear + 1}-10-01`;
      if (next > lastReferenceDate) continue;
      const a = this.mbo[this.groupOn(l, `${d.schoolYear}-08-01`)][d.level as (typeof MBO_LEVELS)[number]];
      if (!a) continue;
      a.graduates++;
      const r = rowOn(next);
      if (r?.sector === 'mbo' && Number(r.level.slice(4)) > Number(d.level.slice(4))) a.mboHigher++;
      else if (r?.sector === 'hbo') a.hbo++;
    }
  }

  result(): PublishedFiguresResult {
    return { year3HavoVwo: this.year3, earlyLeavers: this.leavers, afterMbo: this.mbo };
  }
}

/** The source figures (SPEC section 1) the parameters are tuned to. */
export const PUBLISHED_TARGETS = {
  year3HavoVwo: { zuid: 0.267, 'rest-of-city': 0.413 },
  /** mbo's share of early leavers, 2006-2007: 35,913 / (15,822 + 35,913). */
  earlyLeaversMboShare: 35_913 / (15_822 + 35_913),
  afterMboHigher: { 'mbo-1': 0.684, 'mbo-2': 0.618 },
} as const;

/**
 * Standard error of a share p observed over n units (binomial). Also used for
 * the mbo share of early leavers although a learner can leave, come back and
 * leave again: that is rare enough that the error taken over learners (a
 * ratio estimator's) came out the same to two decimals, and the spread over
 * 16 seeds matched it.
 */
export const standardError = (p: number, n: number): number => Math.sqrt((p * (1 - p)) / n);

const pct = (k: number, n: number) => (n === 0 ? '-' : `${((100 * k) / n).toFixed(1)}%`);
/** Distance from the target in standard errors at this sample size. */
const z = (k: number, n: number, target: number) => (n === 0 ? '-' : `${((k / n - target) / standardError(target, n)).toFixed(1)} SE`);

/** Human-readable lines, each naming the definition it uses. */
export function describeFigures(r: PublishedFiguresResult): string[] {
  const t = PUBLISHED_TARGETS;
  const y = r.year3HavoVwo;
  const lv = r.earlyLeavers;
  const out = [
    '[year-3 havo/vwo: earliest VO row in grade 3, level havo/vwo/havo-vwo over all grade-3 rows (pro, vso included); area valid on 1 Aug of that school year]',
    `  zuid ${pct(y.zuid.k, y.zuid.n)} (n=${y.zuid.n}; target 26.7%, ${z(y.zuid.k, y.zuid.n, t.year3HavoVwo.zuid)}), rest of its city ${pct(y['rest-of-city'].k, y['rest-of-city'].n)} (n=${y['rest-of-city'].n}; target 41.3%, ${z(y['rest-of-city'].k, y['rest-of-city'].n, t.year3HavoVwo['rest-of-city'])}), elsewhere ${pct(y.elsewhere.k, y.elsewhere.n)} (n=${y.elsewhere.n})`,
    '[early leavers, SPEC 6 published definition: row on t in mbo or VO except pro/vso, age 12-22 on t, no row on t+1, no startkwalificatie awarded before t+1; summed over t with t+1 covered]',
    `  vo ${lv.vo.k} of ${lv.vo.n} (${pct(lv.vo.k, lv.vo.n)}), mbo ${lv.mbo.k} of ${lv.mbo.n} (${pct(lv.mbo.k, lv.mbo.n)}); vo : mbo = 1 : ${(lv.mbo.k / lv.vo.k).toFixed(2)} (target 1 : 2.27); mbo share ${pct(lv.mbo.k, lv.mbo.k + lv.vo.k)} (target 69.4%, ${z(lv.mbo.k, lv.mbo.k + lv.vo.k, t.earlyLeaversMboShare)})`,
    '[after mbo: row on the first reference date after the diploma (t+1), diplomas of school years with t+1 covered; area valid on 1 Aug of t; A = mbo at a higher level, B = A or hbo]',
  ];
  for (const g of AREA_GROUPS) {
    const cells = MBO_LEVELS.map((lvl) => {
      const a = r.afterMbo[g][lvl];
      const target = (t.afterMboHigher as Record<string, number>)[lvl];
      const zs = g === 'zuid' && target !== undefined ? `; target ${(100 * target).toFixed(1)}%, ${z(a.mboHigher, a.graduates, target)}` : '';
      // Nothing in mbo lies above level 4, so only the hbo reading says anything there.
      if (lvl === 'mbo-4') return `${lvl} B ${pct(a.hbo, a.graduates)} (n=${a.graduates})`;
      return `${lvl} A ${pct(a.mboHigher, a.graduates)} B ${pct(a.mboHigher + a.hbo, a.graduates)} (n=${a.graduates}${zs})`;
    });
    out.push(`  ${g}: ${cells.join(', ')}`);
  }
  return out;
}

/** The context for a world built in memory (scripts/calibrate.ts). */
export function contextOfWorld(w: World): FigureContext {
  const parent = new Map(w.geo.areas.map((a) => [a.area, a.parent]));
  const zuid = w.params.areas.zuid.district;
  return { zuid, city: parent.get(zuid)!, parentOf: (a) => parent.get(a), lastReferenceDate: `${w.until}-10-01` };
}

/** A simulated learner in the columns the CSV files would carry. */
export function figureLearnerOf(rec: LearnerRecord): FigureLearner {
  return {
    background: rec.learners.map((b) => ({ birthMonth: b.birthMonth, validFrom: b.validFrom, area: b.area })),
    enrolments: rec.enrolments.map((e) => ({ referenceDate: `${e.year}-10-01`, sector: e.sector, level: e.level, grade: e.grade })),
    diplomas: rec.diplomas.map((d) => ({ schoolYear: d.year, awardedOn: d.awardedOn, level: d.level })),
  };
}

/**
 * Lines of one CSV file as field arrays, with a one-row look-ahead. Lines are
 * split from 1 MB chunks and handed out synchronously; only an empty buffer
 * costs an await (one per line made streaming a 200,000-learner set 4x slower).
 */
class Rows {
  private readonly chunks: AsyncIterator<string>;
  private lines: string[] = [];
  private pos = 0;
  private tail = '';
  private ended = false;
  private head: string[] | null = null;
  constructor(path: string) {
    this.chunks = createReadStream(path, { encoding: 'latin1', highWaterMark: 1 << 20 })[Symbol.asyncIterator]();
  }
  get empty(): boolean {
    return this.pos === this.lines.length && !this.ended;
  }
  async fill(): Promise<void> {
    while (this.pos === this.lines.length && !this.ended) {
      const c = await this.chunks.next();
      const parts = c.done ? [this.tail] : (this.tail + (c.value as string)).split('\n');
      if (c.done) this.ended = true;
      this.tail = c.done ? '' : parts.pop()!;
      this.lines = parts.filter((l) => l !== '');
      this.pos = 0;
    }
    this.head = null;
  }
  async open(): Promise<string[]> {
    await this.fill();
    const header = this.peek() ?? [];
    this.take();
    await this.fill();
    return header;
  }
  peek(): string[] | null {
    if (this.head === null && this.pos < this.lines.length) this.head = this.lines[this.pos]!.split(',');
    return this.head;
  }
  take(): string[] {
    const h = this.peek()!;
    this.pos++;
    this.head = null;
    return h;
  }
}

const idOrder = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/**
 * Streams a generated data set learner by learner, relying on what the
 * generator guarantees (README, "Files written"): every file lists learners in
 * id order with each learner's rows together. Memory holds one learner. A data
 * set written with --bad-rows breaks that order (ghost learners) and is refused.
 */
export async function* readGeneratedLearners(dir: string): AsyncGenerator<FigureLearner> {
  const files = { learners: new Rows(join(dir, 'learners.csv')), enrolments: new Rows(join(dir, 'enrollments.csv')), diplomas: new Rows(join(dir, 'diplomas.csv')) };
  const col = {
    learners: columns(await files.learners.open(), ['birth_month', 'valid_from', 'area'], dir),
    enrolments: columns(await files.enrolments.open(), ['reference_date', 'sector', 'level', 'grade'], dir),
    diplomas: columns(await files.diplomas.open(), ['school_year', 'awarded_on', 'level'], dir),
  };
  const rowsOf = async (rows: Rows, id: string): Promise<string[][]> => {
    const out: string[][] = [];
    for (;;) {
      if (rows.empty) await rows.fill();
      const h = rows.peek();
      if (h === null || h[0] !== id) break;
      out.push(rows.take());
    }
    const h = rows.peek();
    if (h !== null && idOrder(h[0]!, id) < 0) throw new Error(`${dir}: learner ${h[0]} is out of order (after ${id}); only data sets the generator wrote without --bad-rows can be streamed`);
    return out;
  };
  while (files.learners.peek() !== null) {
    const id = files.learners.peek()![0]!;
    const L = col.learners, En = col.enrolments, D = col.diplomas;
    const background = (await rowsOf(files.learners, id)).map((f) => ({ birthMonth: f[L.birth_month]!, validFrom: f[L.valid_from]!, area: f[L.area]! }));
    const enrolments = (await rowsOf(files.enrolments, id))
      .map((f) => ({ referenceDate: f[En.reference_date]!, sector: f[En.sector]!, level: f[En.level]!, grade: Number(f[En.grade]) }))
      .sort((a, b) => (a.referenceDate < b.referenceDate ? -1 : a.referenceDate > b.referenceDate ? 1 : 0));
    const diplomas = (await rowsOf(files.diplomas, id)).map((f) => ({ schoolYear: Number(f[D.school_year]!.slice(0, 4)), awardedOn: f[D.awarded_on]!, level: f[D.level]! }));
    yield { background, enrolments, diplomas };
  }
  for (const [name, rows] of Object.entries(files)) {
    if (rows.peek() !== null) throw new Error(`${dir}: ${name} has rows for ${rows.peek()![0]}, who is not in learners.csv (or out of order)`);
  }
}

function columns<K extends string>(header: readonly string[], names: readonly K[], dir: string): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const n of names) {
    const i = header.indexOf(n);
    if (i < 0) throw new Error(`${dir}: a file lacks the column '${n}'`);
    out[n] = i;
  }
  return out;
}

/** The context of a generated directory: the area tree from areas.csv, the covered window from manifest.json. */
export async function contextOfDirectory(dir: string, zuid: string): Promise<FigureContext> {
  const parent = new Map<string, string>();
  const lines = (await readFile(join(dir, 'areas.csv'), 'utf8')).split('\n').slice(1);
  // Names may be quoted and contain commas; the code is the first field and the parent the last.
  for (const l of lines) if (l) parent.set(l.slice(0, l.indexOf(',')), l.slice(l.lastIndexOf(',') + 1));
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { referenceDates: { last: string } };
  const city = parent.get(zuid);
  if (city === undefined) throw new Error(`${dir}: area ${zuid} is not in areas.csv`);
  return { zuid, city, parentOf: (a) => parent.get(a), lastReferenceDate: manifest.referenceDates.last };
}

/** The three figures of a generated directory, streamed. */
export async function measureDirectory(dir: string, zuid: string): Promise<PublishedFiguresResult> {
  const figures = new PublishedFigures(await contextOfDirectory(dir, zuid));
  for await (const l of readGeneratedLearners(dir)) figures.add(l);
  return figures.result();
}
