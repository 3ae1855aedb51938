import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ageOn } from '@leerroutes/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePopulation, type GenerateSummary } from '../src/index.js';
import { groupBy, readCsv, tempDir, type Csv, removeTempDirs } from './helpers.js';
import { CHECKS, duplicateKeys } from './validate.js';

afterAll(removeTempDirs);

const LEARNERS = 3000;
let out: string;
let summary: GenerateSummary;
const files: Record<string, Csv> = {};

beforeAll(async () => {
  out = tempDir('valid');
  summary = await generatePopulation({ out, learners: LEARNERS, cohorts: '2012-2016', seed: 'validity' });
  for (const f of ['enrollments.csv', 'advice.csv', 'diplomas.csv', 'learners.csv', 'areas.csv', 'institutions.csv']) files[f] = readCsv(join(out, f));
});

describe('every row follows docs/file-formats.md when no bad rows are asked for', () => {
  it('has the exact headers of SPEC section 7', () => {
    expect(files['enrollments.csv']!.header).toEqual(['learner_id', 'school_year', 'reference_date', 'sector', 'institution', 'branch', 'level', 'grade', 'programme', 'track']);
    expect(files['advice.csv']!.header).toEqual(['learner_id', 'school_year', 'issued_on', 'po_school', 'kind', 'level', 'test_score']);
    expect(files['diplomas.csv']!.header).toEqual(['learner_id', 'school_year', 'awarded_on', 'institution', 'level', 'programme']);
    expect(files['learners.csv']!.header).toEqual(['learner_id', 'birth_month', 'gender', 'valid_from', 'pupil_weight', 'parental_education', 'migration_background', 'area']);
    expect(files['areas.csv']!.header).toEqual(['area', 'name', 'parent_area']);
    expect(files['institutions.csv']!.header).toEqual(['institution', 'name', 'board', 'municipality', 'kind']);
  });

  it('parses every value with the domain parsers and has no duplicate natural keys', () => {
    for (const [file, check] of Object.entries(CHECKS)) {
      const rows = files[file]!.rows;
      expect(rows.length, file).toBeGreaterThan(LEARNERS / 2);
      const bad = rows.map((r) => ({ line: r.line, verdict: check(r.values) })).filter((r) => r.verdict !== null);
      expect(bad.slice(0, 5), file).toEqual([]);
      expect(duplicateKeys(file, rows), file).toEqual([]);
    }
    expect(summary.rows['enrollments.csv']).toBe(files['enrollments.csv']!.rows.length);
  });

  it('writes ASCII data rows and pseudonymous L-ids only', () => {
    for (const f of ['enrollments.csv', 'advice.csv', 'diplomas.csv', 'learners.csv']) {
      expect(/[^\x00-\x7f]/.test(readFileSync(join(out, f), 'latin1')), f).toBe(false);
      expect(files[f]!.rows.every((r) => /^L\d{7}$/.test(r.values['learner_id']!)), f).toBe(true);
    }
  });

  it('refers only to known areas and institutions of the right kind', () => {
    const areas = new Map(files['areas.csv']!.rows.map((r) => [r.values['area']!, r.values['parent_area']!]));
    expect([...areas].filter(([, p]) => p === '').map(([a]) => a)).toEqual(['NL']);
    expect([...areas].filter(([, p]) => p !== '' && !areas.has(p))).toEqual([]);
    const parents = new Set(areas.values());
    // A residence is a district: a known area that is no one's parent.
    expect(files['learners.csv']!.rows.filter((r) => !areas.has(r.values['area']!) || parents.has(r.values['area']!))).toEqual([]);
    const kind = new Map(files['institutions.csv']!.rows.map((r) => [r.values['institution']!, r.values['kind']!]));
    expect(files['institutions.csv']!.rows.filter((r) => !areas.has(r.values['municipality']!))).toEqual([]);
    expect(files['enrollments.csv']!.rows.filter((r) => kind.get(r.values['institution']!) !== r.values['sector'])).toEqual([]);
    expect(files['advice.csv']!.rows.filter((r) => kind.get(r.values['po_school']!) !== 'po')).toEqual([]);
    expect(files['diplomas.csv']!.rows.filter((r) => !kind.has(r.values['institution']!))).toEqual([]);
  });

  it('gives each learner groep 8 before intake, grade 1 at intake, advice in groep 8 and a complete window', () => {
    const enrol = groupBy(files['enrollments.csv']!.rows, (r) => r.values['learner_id']!);
    const advice = groupBy(files['advice.csv']!.rows, (r) => r.values['learner_id']!);
    const learners = groupBy(files['learners.csv']!.rows, (r) => r.values['learner_id']!);
    expect(enrol.size).toBe(LEARNERS);
    expect(learners.size).toBe(LEARNERS);
    const intakes = new Map<number, number>();
    let age12 = 0;
    const problems: string[] = [];
    const fail = (id: string, what: string) => problems.push(`${id}: ${what}`);
    for (const [id, rows] of enrol) {
      const years = rows.map((r) => Number(r.values['school_year']!.slice(0, 4)));
      const po = rows[0]!.values;
      const intake = years[0]! + 1;
      if (po['sector'] !== 'po' || po['grade'] !== '8') fail(id, 'first row is not groep 8');
      if (intake < 2012 || intake > 2016) fail(id, `intake ${intake}`);
      if (rows[1]?.values['sector'] !== 'vo' || rows[1]?.values['grade'] !== '1' || years[1] !== intake) fail(id, 'no VO grade 1 at intake');
      if (Math.max(...years) > 2024) fail(id, 'row after the window');
      for (let k = 1; k < years.length; k++) if (years[k]! <= years[k - 1]!) fail(id, 'rows out of order');
      intakes.set(intake, (intakes.get(intake) ?? 0) + 1);
      const adv = advice.get(id) ?? [];
      if (adv.filter((a) => a.values['kind'] === 'final').length !== 1) fail(id, 'not exactly one final advice');
      if (adv.some((a) => a.values['school_year'] !== `${intake - 1}-${intake}`)) fail(id, 'advice outside groep 8');
      const bg = learners.get(id)!;
      if (ageOn(bg[0]!.values['birth_month']!, `${intake}-10-01`) === 12) age12++;
      if (bg.length > 1 && (bg[1]!.values['valid_from']! <= bg[0]!.values['valid_from']! || bg[1]!.values['area'] === bg[0]!.values['area'])) fail(id, 'move row');
    }
    expect(problems.slice(0, 10)).toEqual([]);
    // N split evenly over five intake years.
    expect([...intakes.values()]).toEqual([600, 600, 600, 600, 600]);
    expect(age12 / LEARNERS).toBeGreaterThan(0.75);
    const dates = new Set(files['enrollments.csv']!.rows.map((r) => r.values['reference_date']!));
    expect([...dates].sort()).toEqual(Array.from({ length: 14 }, (_, i) => `${2011 + i}-10-01`));
  });
});
