import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARAMETERS, generatePopulation, type RedeliveryManifest } from '../src/index.js';
import { readCsv, tempDir, type Csv, removeTempDirs } from './helpers.js';
import { CHECKS, duplicateKeys } from './validate.js';

afterAll(removeTempDirs);

let original: Record<string, Csv>;
let redelivered: Record<string, Csv>;
let manifest: RedeliveryManifest & { seed: string };

/** Higher correction rates than the defaults, so a small population shows every kind many times. */
const parameters = { ...PARAMETERS, redelivery: { changed: 0.04, removed: 0.02, added: 0.1, adviceCorrected: 0.03, diplomaCorrected: 0.03 } };

beforeAll(async () => {
  const out = tempDir('orig');
  const re = tempDir('re');
  await generatePopulation({ out, learners: 1500, cohorts: '2012-2016', seed: 'redelivery', redelivery: re, redeliveryDates: 2, parameters });
  original = Object.fromEntries(['enrollments.csv', 'advice.csv', 'diplomas.csv'].map((f) => [f, readCsv(join(out, f))]));
  redelivered = Object.fromEntries(['enrollments.csv', 'advice.csv', 'diplomas.csv'].map((f) => [f, readCsv(join(re, f))]));
  manifest = JSON.parse(readFileSync(join(re, 'manifest.json'), 'utf8'));
});

const key = (v: Record<string, string>) => `${v['learner_id']}|${v['reference_date']}`;

describe('corrected re-delivery', () => {
  it('covers the last reference dates, with valid rows and no duplicate keys', () => {
    expect(manifest.referenceDates).toEqual(['2023-10-01', '2024-10-01']);
    expect(manifest.seed).toBe('redelivery');
    for (const [f, csv] of Object.entries(redelivered)) {
      expect(csv.rows.filter((r) => CHECKS[f]!(r.values) !== null), f).toEqual([]);
      expect(duplicateKeys(f, csv.rows), f).toEqual([]);
      expect(manifest.files[f]!.rows, f).toBe(csv.rows.length);
    }
    const dates = new Set(redelivered['enrollments.csv']!.rows.map((r) => r.values['reference_date']));
    expect([...dates].sort()).toEqual(manifest.referenceDates);
  });

  it('is the original count of those dates minus the removed, plus the added, with exactly the listed changes', () => {
    const dates = new Set(manifest.referenceDates);
    const before = new Map(original['enrollments.csv']!.rows.filter((r) => dates.has(r.values['reference_date']!)).map((r) => [key(r.values), r.values]));
    const after = new Map(redelivered['enrollments.csv']!.rows.map((r) => [key(r.values), r.values]));
    const { changed, removed, added } = manifest.enrollments;
    expect([changed.length, removed.length, added.length].every((n) => n > 5)).toBe(true);

    const removedKeys = new Set(removed.map((k) => `${k.learner_id}|${k.reference_date}`));
    const addedKeys = new Set(added.map((k) => `${k.learner_id}|${k.reference_date}`));
    expect([...before.keys()].filter((k) => !after.has(k)).sort()).toEqual([...removedKeys].sort());
    expect([...after.keys()].filter((k) => !before.has(k)).sort()).toEqual([...addedKeys].sort());

    const changedKeys = new Map(changed.map((c) => [`${c.learner_id}|${c.reference_date}`, c]));
    for (const [k, b] of before) {
      const a = after.get(k);
      if (!a) continue;
      const c = changedKeys.get(k);
      if (!c) {
        expect(a, k).toEqual(b);
        continue;
      }
      expect(b[c.field]).toBe(c.from);
      expect(a[c.field]).toBe(c.to);
      expect(c.to).not.toBe(c.from);
      const untouched = Object.keys(b).filter((col) => col !== c.field && col !== 'branch');
      for (const col of untouched) expect(a[col], `${k} ${col}`).toBe(b[col]);
    }
    // An added learner was counted on the date before and missed on this one.
    const enrolled = new Set(original['enrollments.csv']!.rows.map((r) => key(r.values)));
    for (const k of added) {
      const prev = `${k.learner_id}|${Number(k.reference_date.slice(0, 4)) - 1}-10-01`;
      expect(enrolled.has(prev)).toBe(true);
      expect(enrolled.has(`${k.learner_id}|${k.reference_date}`)).toBe(false);
    }
  });

  it('corrects advice and diploma rows under their original natural keys', () => {
    const adviceKey = (v: Record<string, string>) => [v['learner_id'], v['school_year'], v['kind'], v['issued_on']].join('|');
    const advice = new Map(original['advice.csv']!.rows.map((r) => [adviceKey(r.values), r.values]));
    expect(manifest.advice.corrected.length).toBeGreaterThan(5);
    expect(redelivered['advice.csv']!.rows).toHaveLength(manifest.advice.corrected.length);
    for (const c of manifest.advice.corrected) {
      const k = [c.learner_id, c.school_year, c.kind, c.issued_on].join('|');
      expect(advice.get(k)?.['level']).toBe(c.from);
      const row = redelivered['advice.csv']!.rows.find((r) => adviceKey(r.values) === k)!;
      expect(row.values['level']).toBe(c.to);
      expect(c.to).not.toBe(c.from);
    }
    const diplomaKey = (v: Record<string, string>) => [v['learner_id'], v['school_year'], v['institution'], v['awarded_on']].join('|');
    const diplomas = new Map(original['diplomas.csv']!.rows.map((r) => [diplomaKey(r.values), r.values]));
    expect(manifest.diplomas.corrected.length).toBeGreaterThan(5);
    for (const c of manifest.diplomas.corrected) {
      const k = [c.learner_id, c.school_year, c.institution, c.awarded_on].join('|');
      expect(diplomas.get(k)?.[c.field]).toBe(c.from);
      const row = redelivered['diplomas.csv']!.rows.find((r) => diplomaKey(r.values) === k)!;
      expect(row.values[c.field]).toBe(c.to);
    }
  });
});
