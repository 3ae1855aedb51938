/**
 * Publishing was made faster (issue 9) on the promise that no row changes:
 * publish-before.ts is publish.ts as it was before, kept as the oracle, and
 * both publish the same random count tables - an exclusive family by area
 * levels (split cells of learners without an area at depth N), pooled school
 * years under a fixed school key with the school's board and groups, and
 * transitions against the distribution they imply (edges, completion zeros,
 * a related table) - under breakdowns of one and two dimensions.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { distributionOfTransitions, publish, type ReportRequest } from '../src/index.js';
import { countTableOf, type GroupedUnit } from '../src/oracle/index.js';
import type { Unit } from '../src/units.js';
import { publish as publishBefore } from './publish-before.js';

const CHAINS: readonly (readonly string[])[] = [['NL', 'RDAM', 'ZUID'], ['NL', 'RDAM', 'NOORD'], ['NL', 'RDAM'], ['NL', 'UTR', 'UTR-C'], ['NL', 'UTR', 'UTR-W'], ['NL'], []];
const SCHOOLS = ['S01', 'S02', 'S03', 'S04', 'S05', 'S10'];
/** A school's board and groups, fixed per school as the views give them. */
const schoolLineage = (school: string): Record<string, string> => ({
  board: `B${Number(school.slice(1)) % 3}`, school_group: Number(school.slice(1)) % 2 === 0 ? 'pilot' : 'none', school_weight_group: Number(school.slice(1)) % 4 === 0 ? 'unknown' : `w${Number(school.slice(1)) % 2}`,
});
const OUTCOMES = ['gelijk', 'afstroom', 'opstroom', 'no-vo-diploma', 'half-opstroom'];
const CLASSES = ['gelijk', 'opstroom', 'afstroom', 'stacked'];
const STATES = ['vmbo-t', 'havo', 'vwo', 'mbo-2', 'left-with-startkwalificatie'];
const YEARS = ['2013-2014', '2014-2015', '2015-2016'];

interface Person {
  readonly id: string;
  readonly gender: string;
  readonly chain: readonly string[];
  readonly school: string;
  readonly outcome: string;
  /** school-profile steps: year, school, class, repeated, switched. */
  readonly steps: readonly (readonly [number, string, number, boolean, boolean])[];
  /** How many offsets a learner is still in po, then the states after. */
  readonly po: number;
  readonly states: readonly number[];
}

const person = fc.record({
  gender: fc.constantFrom('f', 'm'),
  chain: fc.constantFrom(...CHAINS),
  school: fc.constantFrom(...SCHOOLS),
  outcome: fc.constantFrom(...OUTCOMES),
  steps: fc.array(fc.tuple(fc.nat(YEARS.length - 1), fc.constantFrom(...SCHOOLS), fc.nat(CLASSES.length - 1), fc.boolean(), fc.boolean()), { maxLength: 3 }),
  po: fc.nat(2),
  states: fc.array(fc.nat(STATES.length - 1), { minLength: 4, maxLength: 4 }),
}).map((p) => p);

/** The group and lineage of a learner under `by` (then an indicator's fixed school), as table.ts describes them. */
function grouped(p: Omit<Person, 'id'>, by: readonly string[], fixedSchool?: string): { group: Record<string, string>; lineage: Record<string, string> } {
  const group: Record<string, string> = {};
  const lineage: Record<string, string> = {};
  for (const d of by) {
    if (d === 'gender') group[d] = p.gender;
    else if (d === 'vo_school') {
      group[d] = fixedSchool ?? p.school;
      Object.assign(lineage, schoolLineage(group[d]!));
    } else if (d === 'area') {
      group[d] = p.chain[p.chain.length - 1] ?? 'unknown';
      p.chain.slice(0, -1).forEach((a, k) => { lineage[`area:${k}`] = a; });
    } else {
      const n = Number(d.slice(5));
      group[d] = p.chain[n] ?? 'unknown';
      p.chain.slice(0, n).forEach((a, k) => { lineage[`area:${k}`] = a; });
    }
  }
  if (fixedSchool !== undefined) group['vo_school'] = fixedSchool;
  return { group, lineage };
}

function unitsOf(indicator: string, people: readonly Person[], by: readonly string[]): GroupedUnit[] {
  const out: GroupedUnit[] = [];
  const add = (p: Person, unit: Unit, fixedSchool?: string) => out.push({ learnerId: p.id, ...grouped(p, by, fixedSchool), unit });
  for (const p of people) {
    if (indicator === 'outcome') add(p, { offset: null, schoolYear: null, family: 'outcome', categories: [p.outcome] });
    if (indicator === 'school-profile') {
      for (const [y, school, c, repeated, switched] of p.steps) {
        const at = { offset: null, schoolYear: YEARS[y]! };
        add(p, { ...at, family: 'class', categories: [CLASSES[c]!] }, school);
        add(p, { ...at, family: 'repeated', categories: repeated ? ['repeated'] : [] }, school);
        add(p, { ...at, family: 'switched-school', categories: switched ? ['switched-school'] : [] }, school);
      }
    }
    if (indicator === 'transitions') {
      const states = p.states.map((s, k) => (k < p.po ? 'po' : STATES[s]!));
      for (let k = 0; k + 1 < states.length; k++) {
        const [from, to] = [states[k]!, states[k + 1]!];
        add(p, { offset: k, schoolYear: null, family: 'transition', categories: [`${from} -> ${to}`], from, to });
      }
    }
  }
  return out;
}

const BREAKDOWNS: readonly (readonly string[])[] = [[], ['gender'], ['area:1'], ['area'], ['gender', 'area:2'], ['vo_school'], ['vo_school', 'gender'], ['area:1', 'vo_school']];

describe('publish gives the rows it gave before it was made faster', () => {
  it('property: the same rows as publish-before.ts for random tables, breakdowns and thresholds', async () => {
    await fc.assert(fc.asyncProperty(
      fc.constantFrom('outcome', 'school-profile', 'transitions'), fc.array(person, { minLength: 1, maxLength: 150 }), fc.constantFrom(...BREAKDOWNS), fc.constantFrom(5, 10),
      async (indicator, list, by, minCell) => {
        const people = list.map((p, i) => ({ ...p, id: `p${i}` }));
        const request = { indicator, cohortType: 'advice', cohort: '2013-2014', rules: 'monitor', by, minCell } as ReportRequest;
        const table = countTableOf(unitsOf(indicator, people, by));
        const related = { related: async () => distributionOfTransitions(table) ?? [] };
        const before = await publishBefore(request, table, related);
        expect(JSON.stringify(await publish(request, table, related))).toBe(JSON.stringify(before));
      },
    ), { numRuns: 150 });
  }, 120_000);

  it('the comparison can fail: a changed table changes the rows', async () => {
    const people = Array.from({ length: 40 }, (_, i): Person => ({
      id: `p${i}`, gender: i % 2 ? 'f' : 'm', chain: CHAINS[i % CHAINS.length]!, school: SCHOOLS[i % SCHOOLS.length]!, outcome: OUTCOMES[i % 3]!, steps: [], po: 0, states: [0, 1, 2, 3],
    }));
    const request: ReportRequest = { indicator: 'outcome', cohortType: 'advice', cohort: '2013-2014', rules: 'monitor', by: ['gender'] };
    const table = countTableOf(unitsOf('outcome', people, ['gender']));
    const fewer = countTableOf(unitsOf('outcome', people.slice(1), ['gender']));
    const none = { related: async () => [] };
    expect(JSON.stringify(await publish(request, fewer, none))).not.toBe(JSON.stringify(await publishBefore(request, table, none)));
  });
});
