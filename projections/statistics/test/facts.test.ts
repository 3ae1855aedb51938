/**
 * The statistics rows of hand-written learners, worked out from SPEC 6 and
 * packages/indicators/README.md in the comments; and the two ways rows are
 * versioned, checked against their definitions: a member row valid in school
 * year Y is what the pathway cut at the end of Y gives, and a row known on D
 * is what the events known on D give.
 */
import { describe, expect, it } from 'vitest';
import { foldPathway } from '@leerroutes/pathway';
import { TestLog } from '@leerroutes/pathway/testing';
import { cut, dayOf, factsOf, learnerRowsOf, membersOf, versionedLearnerRows, versionedMembers, yearOf, type Core } from '../src/facts.js';
import { knownFacts } from '../src/knowledge.js';
import { LEARNER_TABLE_OF, STATISTICS_TABLES, type Column } from '../src/schema.js';

const bg = { pupilWeight: 0 as const, parentalEducation: 'middle' as const, migrationBackground: 'none', area: 'ZUID', areaParents: ['RDAM', 'NL'] };

function learner(log: TestLog, id: string, build: (l: ReturnType<TestLog['learner']>) => void) {
  const l = log.learner(id);
  l.registered('2000-01', 'f');
  l.background('2011-08-01', bg);
  build(l);
  return foldPathway(id, log.eventsOf(id));
}

describe('per-year units', () => {
  it('counts early leaving by the published definition: pro and vso left out, ages 12 to 22 only', () => {
    const log = new TestLog();
    // Born 2000-01: 12 on 2012-10-01 and on every date through 22 on 2022-10-01; 23 on 2023-10-01.
    const pro = learner(log, 'PRO', (l) => { l.row('2012-10-01', { institution: 'P', level: 'pro', grade: 1 }); });
    const vso = learner(log, 'VSO', (l) => { l.row('2012-10-01', { institution: 'V', level: 'vso', grade: 1 }); });
    const havo = learner(log, 'HAVO', (l) => { l.row('2012-10-01', { institution: 'H', level: 'havo', grade: 1 }); });
    const late = learner(log, 'OLD', (l) => { l.row('2023-10-01', { sector: 'mbo', institution: 'ROC', level: 'mbo-2', grade: 1 }); });
    const atTwentyTwo = learner(log, 'TWENTYTWO', (l) => { l.row('2022-10-01', { sector: 'mbo', institution: 'ROC', level: 'mbo-1', grade: 1 }); });
    const el = (p: ReturnType<typeof learner>) => factsOf(p).state.map((s) => [s.year, s.el_unit, s.el_leaver]);
    expect(el(pro)).toEqual([[2012, false, false]]);
    expect(el(vso)).toEqual([[2012, false, false]]);
    // No row in 2013 and no startkwalificatie: a leaver (the query keeps it only when 2013 is covered).
    expect(el(havo)).toEqual([[2012, true, true]]);
    expect(el(late)).toEqual([[2023, false, false]]);
    expect(el(atTwentyTwo)).toEqual([[2022, true, true]]);
  });

  it('a learner who turned 12 just before the reference date counts; one turning 12 on the day after does not', () => {
    const log = new TestLog();
    const turned = log.learner('TURNED');
    turned.registered('2000-10', 'm');
    turned.row('2012-10-01', { institution: 'H', level: 'havo', grade: 1 });
    const notYet = log.learner('NOTYET');
    notYet.registered('2000-11', 'm');
    notYet.row('2012-10-01', { institution: 'H', level: 'havo', grade: 1 });
    expect(factsOf(foldPathway('TURNED', log.eventsOf('TURNED'))).state[0]!.el_unit).toBe(true);
    expect(factsOf(foldPathway('NOTYET', log.eventsOf('NOTYET'))).state[0]!.el_unit).toBe(false);
  });

  it('gives bovenbouwsucces per afdeling from grade 3 on, and moving down a level is not success', () => {
    const log = new TestLog();
    const p = learner(log, 'B', (l) => {
      l.row('2014-10-01', { institution: 'X', level: 'havo', grade: 3 });
      l.row('2015-10-01', { institution: 'X', level: 'havo', grade: 4 }); // higher grade, same level: success for 2014
      l.row('2016-10-01', { institution: 'X', level: 'vmbo-t', grade: 4 }); // down a level: no success for 2015 though not repeated
      l.row('2017-10-01', { institution: 'X', level: 'vmbo-t', grade: 4 }); // repeat: no success for 2016
    });
    expect(factsOf(p).state.map((s) => [s.year, s.bb_afdeling, s.bb_success])).toEqual([
      [2014, 'havo', true], [2015, 'havo', false], [2016, 'vmbo-gt', false], [2017, 'vmbo-gt', false],
    ]);
  });

  it('classifies vwo 3 -> havo 3 as afstroom, not doubleren, and havo 3 -> havo 3 as doubleren', () => {
    const log = new TestLog();
    const p = learner(log, 'R', (l) => {
      l.row('2014-10-01', { institution: 'X', level: 'vwo', grade: 3 });
      l.row('2015-10-01', { institution: 'X', level: 'havo', grade: 3 });
      l.row('2016-10-01', { institution: 'X', level: 'havo', grade: 3 });
    });
    expect(factsOf(p).step.filter((s) => s.rules === 'monitor').map((s) => [s.year, s.class, s.repeated])).toEqual([[2014, 'afstroom', false], [2015, 'gelijk', true]]);
  });
});

describe('stacking attempts', () => {
  it('records a failed attempt (vmbo-t > havo without a havo diploma) and a successful one (mbo-2 > mbo-3)', () => {
    const log = new TestLog();
    const failed = learner(log, 'F', (l) => {
      l.row('2015-10-01', { institution: 'X', level: 'vmbo-t', grade: 4 });
      l.diploma('2016-06-30', 'vmbo-t', 'X');
      l.row('2016-10-01', { institution: 'Y', level: 'havo', grade: 4 });
      l.row('2017-10-01', { institution: 'Y', level: 'havo', grade: 4 });
    });
    const succeeded = learner(log, 'S', (l) => {
      l.row('2016-10-01', { sector: 'mbo', institution: 'ROC', level: 'mbo-2', grade: 1 });
      l.diploma('2017-06-30', 'mbo-2', 'ROC');
      l.row('2017-10-01', { sector: 'mbo', institution: 'ROC', level: 'mbo-3', grade: 1 });
      l.diploma('2019-06-30', 'mbo-3', 'ROC');
    });
    expect(factsOf(failed).attempt.map((a) => [a.kind, a.year, a.success_year])).toEqual([['vmbo-t > havo', 2016, null]]);
    expect(factsOf(succeeded).attempt.map((a) => [a.kind, a.year, a.success_year])).toEqual([['mbo-2 > mbo-3', 2017, 2018]]);
    expect(membersOf(failed).length).toBe(0); // no advice, no VO row in grade 1 or 3: in no cohort
  });
});

describe('after a diploma', () => {
  it('gives the state on the first reference date after an mbo diploma, and vmbo learners lost before mbo', () => {
    const log = new TestLog();
    const up = learner(log, 'UP', (l) => {
      l.row('2016-10-01', { sector: 'mbo', institution: 'ROC', level: 'mbo-1', grade: 1 });
      l.diploma('2017-06-30', 'mbo-1', 'ROC');
      l.row('2017-10-01', { sector: 'mbo', institution: 'ROC', level: 'mbo-2', grade: 1 });
    });
    const gone = learner(log, 'GONE', (l) => {
      l.row('2016-10-01', { institution: 'X', level: 'vmbo-k', grade: 4 });
      l.diploma('2017-06-30', 'vmbo-k', 'X');
    });
    expect(factsOf(up).diploma.map((d) => [d.year, d.level, d.next_year, d.after_mbo])).toEqual([[2016, 'mbo-1', 2017, 'mbo-higher']]);
    expect(factsOf(gone).diploma.map((d) => [d.year, d.level, d.after_mbo, d.vl_unit, d.vl_lost, d.institution])).toEqual([[2016, 'vmbo-k', null, true, true, 'X']]);
  });
});

describe('cohort members', () => {
  it('puts a leerjaar3 learner without an advice in the cohort with advice-position no-advice, and the year-3 school as vo_school', () => {
    const log = new TestLog();
    const p = learner(log, 'L3', (l) => {
      l.row('2012-10-01', { institution: 'A', level: 'havo', grade: 1 });
      l.row('2013-10-01', { institution: 'A', level: 'havo', grade: 2 });
      l.row('2014-10-01', { institution: 'B', level: 'havo', grade: 3 });
    });
    const rows = membersOf(p).filter((m) => m.rules === 'monitor');
    expect(rows.map((m) => [m.cohort_type, m.cohort, m.vo_school, m.advice])).toEqual([
      ['intake', 2012, 'A', 'unknown'],
      ['leerjaar3', 2014, 'B', 'unknown'],
    ]);
    expect(learnerRowsOf(p).filter((l) => l.rules === 'monitor').map((l) => l.ap)).toEqual(['no-advice']);
  });

  it('versions a learner\'s classifications by the school years in which they held (outcome and year-3 position come later)', () => {
    const log = new TestLog();
    const p = learner(log, 'V', (l) => {
      l.advice('2012-02-01', 'final', 'havo');
      for (let g = 1; g <= 5; g++) l.row(`${2011 + g}-10-01`, { institution: 'A', level: 'havo', grade: g });
      l.diploma('2017-06-30', 'havo', 'A');
    });
    const versions = versionedLearnerRows(p).filter((m) => m.rules === 'monitor');
    // 2011-2012: the advice only; from 2012-2013 the first VO row (lj1, placement); from 2014 year 3; from 2016 the diploma.
    expect(versions.map((m) => [m.valid_from, m.valid_until, m.f_lj1, m.ap, m.oc, m.f_lj3])).toEqual([
      [2011, 2012, 'lj1:none', null, 'no-vo-diploma', 'lj3:none'],
      [2012, 2014, 'lj1:havo', null, 'no-vo-diploma', 'lj3:none'],
      [2014, 2016, 'lj1:havo', 'gelijk', 'no-vo-diploma', 'lj3:havo'],
      [2016, null, 'lj1:havo', 'gelijk', 'gelijk', 'lj3:havo'],
    ]);
    // The cohorts start with the advice (2011), the first VO row (2012) and year 3 (2014); the advice cohort's
    // school (at intake) is known from 2012 on.
    expect(versionedMembers(p).filter((m) => m.rules === 'monitor').map((m) => [m.cohort_type, m.cohort, m.vo_school, m.valid_from, m.valid_until])).toEqual([
      ['advice', 2011, 'unknown', 2011, 2012], ['advice', 2011, 'A', 2012, null], ['intake', 2012, 'A', 2012, null], ['leerjaar3', 2014, 'A', 2014, null],
    ]);
  });
});

/** A cut as its definition says, written out plainly (the oracle of the fold's own cuts): everything dated after the end of school year `year` left out. */
function cutByDefinition(p: Core, year: number): Core {
  const end = `${year + 1}-07-31`;
  const upTo = <T extends { readonly schoolYear: string }>(items: readonly T[]) => items.filter((x) => Number(x.schoolYear.slice(0, 4)) <= year);
  return {
    learnerId: p.learnerId, registration: p.registration, background: p.background.filter((b) => b.validFrom <= end),
    testScore: p.testScore && p.testScore.occurredOn <= end ? p.testScore : null,
    advices: upTo(p.advices), timeline: upTo(p.timeline), diplomas: upTo(p.diplomas), left: upTo(p.left),
  };
}
const coreOf = ({ learnerId, registration, background, testScore, advices, timeline, diplomas, left }: Core): Core =>
  ({ learnerId, registration, background, testScore, advices, timeline, diplomas, left });

/** Every year from `first` to `last`: the cut is the definition's, and the versions valid then are the rows of that cut. */
export function expectVersionsToBeCuts(p: ReturnType<typeof foldPathway>, first: number, last: number): void {
  const at = (versions: { valid_from: number; valid_until: number | null }[], y: number) =>
    versions.filter((v) => v.valid_from <= y && (v.valid_until === null || v.valid_until > y))
      .map(({ valid_from: _f, valid_until: _u, ...row }) => JSON.stringify(row)).sort();
  const members = versionedMembers(p);
  const learners = versionedLearnerRows(p);
  for (let y = first; y <= last; y++) {
    const oracle = cutByDefinition(p, y);
    expect(coreOf(cut(p, y)), `${p.learnerId} cut at ${y}`).toEqual(oracle);
    expect(at(members, y), `${p.learnerId} members as of ${y}`).toEqual(membersOf(oracle).map((r) => JSON.stringify(r)).sort());
    expect(at(learners, y), `${p.learnerId} classifications as of ${y}`).toEqual(learnerRowsOf(oracle).map((r) => JSON.stringify(r)).sort());
  }
}

describe('versions', () => {
  function population(): TestLog {
    const log = new TestLog();
    const names = ['A', 'B', 'C', 'D'];
    for (const [i, id] of names.entries()) {
      log.knownAt = '2013-11-01';
      const l = log.learner(id);
      l.registered('2000-0' + (i + 1), i % 2 ? 'm' : 'f');
      l.background('2011-08-01', bg);
      l.advice('2012-02-01', 'final', ['havo', 'vwo', 'vmbo-t', 'havo/vwo'][i]!);
      l.row('2012-10-01', { institution: 'A', level: ['havo', 'vwo', 'vmbo-t', 'havo/vwo'][i]!, grade: 1 });
      const second = l.row('2013-10-01', { institution: 'A', level: ['havo', 'vwo', 'vmbo-t', 'havo'][i]!, grade: 2 });
      log.knownAt = '2014-11-01';
      l.row('2014-10-01', { institution: i === 2 ? 'B' : 'A', level: ['havo', 'havo', 'vmbo-t', 'havo'][i]!, grade: 3 });
      if (i === 1) l.background('2014-03-01', { ...bg, pupilWeight: 0.3 });
      log.knownAt = '2016-01-15';
      if (i === 3) {
        // A correction of 2013, known two years later.
        l.retract('2016-01-15', second);
        l.resetState();
        l.row('2013-10-01', { institution: 'A', level: 'vwo', grade: 2 });
      }
      if (i === 0) l.diploma('2015-06-30', 'vmbo-t', 'A');
    }
    return log;
  }

  it('a member or learner row valid in school year Y is what the pathway cut at the end of Y gives', () => {
    const log = population();
    for (const id of log.learnerIds()) expectVersionsToBeCuts(foldPathway(id, log.eventsOf(id)), 2009, 2018);
  });

  it('a row known on D is what the events known on D give', () => {
    const log = population();
    for (const id of log.learnerIds()) {
      const { facts } = knownFacts(id, log.eventsOf(id));
      for (const d of ['2013-10-31', '2013-11-01', '2014-06-01', '2014-11-01', '2015-12-31', '2016-01-15', '2020-01-01']) {
        const day = dayOf(d);
        const expected = factsOf(foldPathway(id, log.eventsOf(id, d)));
        for (const table of ['member', 'learner', 'state', 'step', 'diploma', 'attempt', 'revision'] as const) {
          const at = (facts[table] as { known_from: number; known_until: number | null }[])
            .filter((r) => r.known_from <= day && (r.known_until === null || r.known_until > day))
            .map(({ known_from: _f, known_until: _u, ...row }) => JSON.stringify(row)).sort();
          expect(at, `${id} ${table} known on ${d}`).toEqual((expected[table] as object[]).map((r) => JSON.stringify(r)).sort());
        }
      }
    }
    // Not trivially equal: D's 2013 row changes when 2014 becomes known (it now counts for onderbouwsnelheid)
    // and again when the correction of 2013 becomes known.
    const d = knownFacts('D', log.eventsOf('D')).facts.state.filter((s) => s.year === 2013);
    expect(d.map((s) => [s.state, s.ob_unit, s.known_from, s.known_until])).toEqual([
      ['vo:havo', false, 20131101, 20141101], ['vo:havo', true, 20141101, 20160115], ['vo:vwo', true, 20160115, null],
    ]);
  });
});

describe('versions on a generated population', () => {
  it('the versions of every learner are the cuts of every year, and what the events known on each delivery day give', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { generatePopulation } = await import('@leerroutes/synthetic');
    const { openSqliteEventStore } = await import('@leerroutes/event-store/sqlite');
    const { importDirectory } = await import('@leerroutes/import');
    const root = mkdtempSync(join(tmpdir(), 'leerroutes-stat-'));
    try {
      await generatePopulation({ out: join(root, 'pop'), learners: 300, cohorts: '2012-2013', seed: 11, redelivery: join(root, 'fix') });
      const store = openSqliteEventStore({ path: join(root, 'log.sqlite') });
      await importDirectory({ dir: join(root, 'pop'), store, knownAt: '2023-11-01' });
      await importDirectory({ dir: join(root, 'fix'), store, knownAt: '2024-01-15' });
      let learners = 0;
      let versioned = 0;
      const outsideVocabulary: string[] = [];
      for await (const streams of store.readStreams({ category: 'learner', batchSize: 500 })) {
        for (const events of streams) {
          const id = events[0]!.stream.slice('learner-'.length);
          const p = foldPathway(id, events);
          expectVersionsToBeCuts(p, 2008, 2026);
          const { facts } = knownFacts(id, events);
          outsideVocabulary.push(...outside(id, facts));
          for (const d of [20231101, 20240115]) {
            const known = factsOf(foldPathway(id, events.filter((e) => dayOf(e.knownAt) <= d)));
            const at = facts.state.filter((r) => r.known_from <= d && (r.known_until === null || r.known_until > d)).length;
            expect(at, `${id} states known on ${d}`).toBe(known.state.length);
          }
          if (facts.learner.some((r) => r.valid_until !== null)) versioned++;
          learners++;
        }
      }
      // What the projection writes in a closed column (an ENUM in DuckDB) is one of its values: else the write fails.
      expect(outsideVocabulary).toEqual([]);
      expect(learners).toBeGreaterThan(250);
      // Most learners' classifications change as their careers unfold: the versions are exercised.
      expect(versioned).toBeGreaterThan(learners / 2);
      await store.close();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);
});

/** Values of a learner's rows that are not in their column's closed vocabulary (schema.ts), as `table.column=value`. */
function outside(id: string, facts: ReturnType<typeof knownFacts>['facts']): string[] {
  const out: string[] = [];
  for (const [key, table] of Object.entries(LEARNER_TABLE_OF) as [keyof typeof LEARNER_TABLE_OF, keyof typeof STATISTICS_TABLES][]) {
    for (const c of STATISTICS_TABLES[table] as readonly Column[]) {
      if (!c.values) continue;
      for (const row of facts[key] as unknown as readonly Record<string, unknown>[]) {
        const v = row[c.name];
        if (v !== null && !c.values.includes(v as string)) out.push(`${id}: ${table}.${c.name}=${String(v)}`);
      }
    }
  }
  return out;
}

describe('closed vocabularies', () => {
  it('hold every value the hand-written learners give, no advice and stacked steps among them', () => {
    const log = new TestLog();
    const ids = ['NOADVICE', 'STACKED', 'MBO'];
    learner(log, 'NOADVICE', (l) => { l.row('2012-10-01', { institution: 'A', level: 'havo', grade: 3 }); });
    learner(log, 'STACKED', (l) => {
      l.advice('2011-02-01', 'final', 'vmbo-t');
      l.row('2011-10-01', { institution: 'A', level: 'vmbo-t', grade: 3 });
      l.row('2012-10-01', { institution: 'A', level: 'vmbo-t', grade: 4 });
      l.diploma('2013-06-30', 'vmbo-t', 'A');
      l.row('2013-10-01', { institution: 'A', level: 'havo', grade: 4 });
    });
    learner(log, 'MBO', (l) => {
      l.row('2012-10-01', { sector: 'mbo', institution: 'ROC', level: 'mbo-2', grade: 1 });
      l.diploma('2013-06-30', 'mbo-2', 'ROC');
      l.row('2013-10-01', { sector: 'hbo', institution: 'HS', level: 'hbo-ba', grade: 1 });
    });
    const facts = ids.map((id) => knownFacts(id, log.eventsOf(id)).facts);
    expect(ids.flatMap((id, i) => outside(id, facts[i]!))).toEqual([]);
    // The rare values are there: the check above is not about common ones only.
    expect(facts[0]!.learner.map((r) => r.ap)).toContain('no-advice');
    expect(facts[1]!.step.map((r) => r.class)).toContain('stacked');
    expect(facts[2]!.diploma.map((r) => r.after_mbo)).toContain('hbo');
  });
});

describe('years and days as numbers', () => {
  it('reads them as Number() of their digits would, also for text that is not a year or a date', () => {
    expect(yearOf('2016-2017')).toBe(2016);
    expect(dayOf('2016-10-01')).toBe(20161001);
    expect(dayOf('0999-01-09')).toBe(9990109);
    expect(dayOf('2016-10-01T12:00:00.000Z')).toBe(20161001);
    for (const odd of ['', '20', '2O16-2017', ' 201-2017', '+201-2017', '1e3x-2017']) expect(yearOf(odd)).toEqual(Number(odd.slice(0, 4)));
    expect(dayOf('2016-1x-01')).toEqual(Number.NaN);
  });
});
