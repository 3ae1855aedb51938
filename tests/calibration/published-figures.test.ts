import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ageOn, givesStartkwalificatie, parseVoLevel } from '@leerroutes/domain';
import {
  PublishedFigures, ZUID_DISTRICT, buildWorld, contextOfWorld, figureLearnerOf, generatePopulation, measureDirectory, simulateLearner, type PublishedFiguresResult,
} from '@leerroutes/synthetic';

/**
 * The published figures of SPEC section 1 the generator is calibrated to,
 * computed here from the generated CSV files alone with the published
 * definitions, and each held to within three standard errors of its source
 * figure at this sample size. The definitions below are the published ones
 * the engine's after-mbo, early-leavers and leerjaar3 reports apply (the
 * cross-check in packages/indicators/crosscheck holds those reports to an
 * independent implementation); counting from the files keeps this test to
 * seconds at a sample size where three standard errors mean something.
 *
 * One intake cohort followed to age 22 (until = 2012 + 11): its early leavers
 * summed over the years stand for one school year's count over all ages, as
 * the published 1 : 2.3 is; a shorter window leaves out the older, mostly
 * mbo, leavers and lowers the mbo share.
 */
const LEARNERS = 40_000;
const INTAKE = 2012;
const UNTIL = INTAKE + 11;
const SEED = 'published-figures';

const TARGET = {
  /** Question 4: leerjaar-3 learners at havo/vwo, Rotterdam Zuid vs the rest of Rotterdam. */
  havoVwoZuid: 0.267,
  havoVwoRestOfCity: 0.413,
  /** Question 9, 2006-2007: vo 15,822, mbo 35,913 early leavers. */
  mboShareOfEarlyLeavers: 35_913 / (15_822 + 35_913),
  /** Question 8, Rotterdam Zuid: in a higher-level (mbo) programme a year after the diploma. */
  afterMbo1: 0.684,
  afterMbo2: 0.618,
};

interface Learner {
  background: { validFrom: string; area: string; birthMonth: string }[];
  rows: { date: string; sector: string; level: string; grade: number }[];
  diplomas: { year: number; awardedOn: string; level: string }[];
}

/** Plain CSV rows by column name; the data files hold codes only, so no quoting. */
function rowsOf(dir: string, file: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(join(dir, file), 'utf8').trimEnd().split('\n');
  const cols = header!.split(',');
  return lines.map((l) => {
    const f = l.split(',');
    return Object.fromEntries(cols.map((c, i) => [c, f[i]!]));
  });
}

function readLearners(dir: string): Map<string, Learner> {
  const out = new Map<string, Learner>();
  const of = (id: string) => {
    let l = out.get(id);
    if (!l) out.set(id, (l = { background: [], rows: [], diplomas: [] }));
    return l;
  };
  for (const r of rowsOf(dir, 'learners.csv')) of(r['learner_id']!).background.push({ validFrom: r['valid_from']!, area: r['area']!, birthMonth: r['birth_month']! });
  for (const r of rowsOf(dir, 'enrollments.csv')) of(r['learner_id']!).rows.push({ date: r['reference_date']!, sector: r['sector']!, level: r['level']!, grade: Number(r['grade']) });
  for (const r of rowsOf(dir, 'diplomas.csv')) of(r['learner_id']!).diplomas.push({ year: Number(r['school_year']!.slice(0, 4)), awardedOn: r['awarded_on']!, level: r['level']! });
  for (const l of out.values()) {
    l.rows.sort((a, b) => a.date.localeCompare(b.date));
    l.background.sort((a, b) => a.validFrom.localeCompare(b.validFrom));
  }
  return out;
}

/** Residence as the engine groups it: the learners.csv row valid on the date. */
const areaOn = (l: Learner, date: string): string | null => l.background.filter((b) => b.validFrom <= date).at(-1)?.area ?? null;
const nextReferenceDate = (date: string) => `${Number(date.slice(0, 4)) + 1}-10-01`;

interface Counted { n: number; k: number }
const counted = (): Counted => ({ n: 0, k: 0 });

let root: string;
let learners: Map<string, Learner>;
let parent: Map<string, string>;
let lastDate: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'leerroutes-published-'));
  await generatePopulation({ out: root, learners: LEARNERS, cohorts: String(INTAKE), until: UNTIL, seed: SEED });
  learners = readLearners(root);
  parent = new Map(readFileSync(join(root, 'areas.csv'), 'utf8').trimEnd().split('\n').slice(1).map((l) => [l.slice(0, l.indexOf(',')), l.slice(l.lastIndexOf(',') + 1)]));
  // Covered reference dates: those on which anyone has a row (every date of the window, here).
  lastDate = [...learners.values()].flatMap((l) => l.rows.map((r) => r.date)).reduce((a, b) => (a > b ? a : b));
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CITY = () => parent.get(ZUID_DISTRICT)!;
type Group = 'zuid' | 'rest-of-city' | 'elsewhere';
const groupOf = (area: string | null): Group => (area === ZUID_DISTRICT ? 'zuid' : area !== null && parent.get(area) === CITY() ? 'rest-of-city' : 'elsewhere');

/**
 * Year-3 havo/vwo share: learners with a VO row in grade 3; the earliest such
 * row is their year-3 position; havo/vwo when its level's span starts at havo
 * (havo, vwo, havo/vwo and aliases). Pro and vso rows count in the
 * denominator. Area on 1 August of that school year.
 */
function yearThreeHavoVwo(): Record<Group, Counted> {
  const out: Record<Group, Counted> = { zuid: counted(), 'rest-of-city': counted(), elsewhere: counted() };
  for (const l of learners.values()) {
    const y3 = l.rows.find((r) => r.sector === 'vo' && r.grade === 3);
    if (!y3) continue;
    const g = out[groupOf(areaOn(l, `${y3.date.slice(0, 4)}-08-01`))];
    g.n++;
    const level = parseVoLevel(y3.level);
    if (level._tag === 'Right' && level.right.span !== null && level.right.span.low >= 4) g.k++;
  }
  return out;
}

/**
 * Early leavers, SPEC 6 `early-leavers`: per school year t with t+1 covered,
 * rows on t in mbo or in VO at a level other than pro and vso, of learners
 * aged 12..22 on t's reference date, with no row of any sector on t+1 and no
 * startkwalificatie awarded before t+1's reference date; by the row's sector.
 */
function earlyLeavers(): { vo: number; mbo: number } {
  const out = { vo: 0, mbo: 0 };
  for (const l of learners.values()) {
    for (const r of l.rows) {
      if (r.sector !== 'mbo' && r.sector !== 'vo') continue;
      if (r.sector === 'vo' && (r.level === 'pro' || r.level === 'praktijkonderwijs' || r.level === 'vso')) continue;
      const next = nextReferenceDate(r.date);
      if (next > lastDate) continue;
      const age = ageOn(l.background[0]!.birthMonth, r.date);
      if (age < 12 || age > 22) continue;
      if (l.rows.some((x) => x.date === next)) continue;
      if (l.diplomas.some((d) => d.awardedOn < next && givesStartkwalificatie(d.level))) continue;
      out[r.sector]++;
    }
  }
  return out;
}

/**
 * After mbo, SPEC 6 `after-mbo`: per mbo diploma of school year t with t+1
 * covered, the row on t+1's reference date (the first after the diploma).
 * Reading A: an mbo programme at a higher level; reading B: A or hbo. Area on
 * 1 August of t.
 */
function afterMbo(level: 1 | 2, group: Group): { n: number; a: number; b: number } {
  const out = { n: 0, a: 0, b: 0 };
  for (const l of learners.values()) {
    for (const d of l.diplomas) {
      if (d.level !== `mbo-${level}`) continue;
      const next = `${d.year + 1}-10-01`;
      if (next > lastDate || groupOf(areaOn(l, `${d.year}-08-01`)) !== group) continue;
      out.n++;
      const r = l.rows.find((x) => x.date === next);
      const higherMbo = r?.sector === 'mbo' && Number(r.level.slice(4)) > level;
      if (higherMbo) out.a++;
      if (higherMbo || r?.sector === 'hbo') out.b++;
    }
  }
  return out;
}

/** |observed - target| in standard errors of the target share at this sample size. */
const errors = (k: number, n: number, p: number) => Math.abs(k / n - p) / Math.sqrt((p * (1 - p)) / n);

describe(`published figures on ${LEARNERS} generated learners (intake ${INTAKE}, followed to ${UNTIL})`, () => {
  it('has 26.7% of year-3 learners at havo/vwo in the Zuid-like district and 41.3% in the rest of its city', () => {
    const y3 = yearThreeHavoVwo();
    const zuid = y3.zuid, rest = y3['rest-of-city'];
    expect(zuid.n).toBeGreaterThan(400);
    expect(rest.n).toBeGreaterThan(800);
    expect(errors(zuid.k, zuid.n, TARGET.havoVwoZuid), `Zuid ${zuid.k}/${zuid.n}`).toBeLessThan(3);
    expect(errors(rest.k, rest.n, TARGET.havoVwoRestOfCity), `rest of the city ${rest.k}/${rest.n}`).toBeLessThan(3);
  });

  it('counts early leavers vo : mbo about 1 : 2.3 (mbo 69.4% of them)', () => {
    const { vo, mbo } = earlyLeavers();
    expect(vo).toBeGreaterThan(1000);
    expect(errors(mbo, vo + mbo, TARGET.mboShareOfEarlyLeavers), `vo ${vo}, mbo ${mbo}`).toBeLessThan(3);
  });

  it('puts 68.4% of mbo-1 and 61.8% of mbo-2 graduates in the Zuid-like district in a higher mbo programme a year later', () => {
    const one = afterMbo(1, 'zuid');
    const two = afterMbo(2, 'zuid');
    expect(one.n).toBeGreaterThan(20);
    expect(two.n).toBeGreaterThan(60);
    expect(errors(one.a, one.n, TARGET.afterMbo1), `mbo-1 ${one.a}/${one.n}`).toBeLessThan(3);
    expect(errors(two.a, two.n, TARGET.afterMbo2), `mbo-2 ${two.a}/${two.n}`).toBeLessThan(3);
    // hbo admits from mbo-4 only, so for these levels the wider reading adds nobody.
    expect([one.b, two.b]).toEqual([one.a, two.a]);
  });

  it('agrees to the count with what scripts/figures.ts (streaming these files) and scripts/calibrate.ts (in memory) print', async () => {
    const streamed: PublishedFiguresResult = await measureDirectory(root, ZUID_DISTRICT);
    const world = buildWorld({ seed: SEED, learners: LEARNERS, firstIntake: INTAKE, lastIntake: INTAKE, until: UNTIL });
    const inMemory = new PublishedFigures(contextOfWorld(world));
    for (let i = 0; i < LEARNERS; i++) inMemory.add(figureLearnerOf(simulateLearner(world, i)));
    expect(inMemory.result()).toEqual(streamed);
    const y3 = yearThreeHavoVwo();
    expect(streamed.year3HavoVwo).toEqual(y3);
    expect({ vo: streamed.earlyLeavers.vo.k, mbo: streamed.earlyLeavers.mbo.k }).toEqual(earlyLeavers());
    for (const level of [1, 2] as const) {
      const here = afterMbo(level, 'zuid');
      const there = streamed.afterMbo.zuid[`mbo-${level}`];
      expect({ n: there.graduates, a: there.mboHigher, b: there.mboHigher + there.hbo }).toEqual(here);
    }
  });
});
