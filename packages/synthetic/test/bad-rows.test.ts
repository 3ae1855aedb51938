import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { looksLikeBsn } from '@leerroutes/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BAD_KINDS, KINDS_BY_FILE, bsnLike, generatePopulation, type BadKind, type GenerateSummary, type InjectedRow } from '../src/index.js';
import { Rng } from '../src/random.js';
import { readCsv, tempDir, type Csv, removeTempDirs } from './helpers.js';
import { CHECKS, NATURAL_KEY, duplicateKeys, type Verdict } from './validate.js';

afterAll(removeTempDirs);

const FRACTION = 0.02;
const DATA_FILES = ['enrollments.csv', 'advice.csv', 'diplomas.csv', 'learners.csv'];
let out: string;
let summary: GenerateSummary;
let manifest: { files: Record<string, number>; seed: string; options: Record<string, unknown>; badRows: { total: number; byKind: Record<BadKind, number>; rows: InjectedRow[] } };
const files: Record<string, Csv> = {};

beforeAll(async () => {
  out = tempDir('bad');
  summary = await generatePopulation({ out, learners: 2000, cohorts: '2012-2016', seed: 'bad-rows', badRows: FRACTION });
  manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  for (const f of DATA_FILES) files[f] = readCsv(join(out, f));
});

/** What the files themselves say is wrong, line by line, independent of the manifest. */
function actualBadRows(): { file: string; line: number; kind: Verdict }[] {
  const found: { file: string; line: number; kind: Verdict }[] = [];
  for (const f of DATA_FILES) {
    const rows = files[f]!.rows;
    for (const r of rows) {
      const v = CHECKS[f]!(r.values);
      if (v !== null) found.push({ file: f, line: r.line, kind: v });
    }
    const invalid = new Set(found.filter((x) => x.file === f).map((x) => x.line));
    // Only rows valid in themselves can be duplicates of a good row.
    const valid = rows.filter((r) => !invalid.has(r.line));
    for (const line of duplicateKeys(f, valid)) found.push({ file: f, line, kind: 'duplicate-key' });
  }
  return found.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

describe('bad-row injection', () => {
  it('lists in the manifest exactly the rows the files show to be bad, with their kind, file and line', () => {
    const listed = manifest.badRows.rows.map((r) => ({ file: r.file, line: r.line, kind: r.kind as Verdict })).sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
    expect(listed.length).toBeGreaterThan(100);
    expect(actualBadRows()).toEqual(listed);
  });

  it('counts agree: per kind, in total, and per file against the rows written', () => {
    const rows = manifest.badRows.rows;
    expect(manifest.badRows.total).toBe(rows.length);
    for (const k of BAD_KINDS) {
      expect(manifest.badRows.byKind[k], k).toBe(rows.filter((r) => r.kind === k).length);
      expect(manifest.badRows.byKind[k], k).toBeGreaterThan(0);
    }
    expect(summary.badRows.byKind).toEqual(manifest.badRows.byKind);
    for (const f of DATA_FILES) expect(manifest.files[f], f).toBe(files[f]!.rows.length);
    for (const r of rows) expect(KINDS_BY_FILE[r.file.replace('.csv', '') as 'enrollments']).toContain(r.kind);
    expect(manifest.seed).toBe('bad-rows');
    expect(manifest.options['badRows']).toBe(FRACTION);
  });

  it('adds about the requested share of bad rows', () => {
    const good = DATA_FILES.reduce((n, f) => n + files[f]!.rows.length, 0) - manifest.badRows.total;
    const expected = good * FRACTION;
    // Binomial: within four standard deviations.
    expect(Math.abs(manifest.badRows.total - expected)).toBeLessThan(4 * Math.sqrt(expected));
  });

  it('makes a duplicate-key row the later of two rows with the same key and different content', () => {
    const dups = manifest.badRows.rows.filter((r) => r.kind === 'duplicate-key');
    expect(dups.length).toBeGreaterThan(0);
    for (const d of dups) {
      const rows = files[d.file]!.rows;
      const key = (v: Record<string, string>) => NATURAL_KEY[d.file]!.map((c) => v[c]).join('|');
      const bad = rows[d.line - 2]!;
      const first = rows.find((r) => key(r.values) === key(bad.values))!;
      expect(first.line).toBeLessThan(d.line);
      expect(first.values).not.toEqual(bad.values);
      expect(bad.values['learner_id']).toMatch(/^L\d{7}$/);
    }
  });

  it('generates citizen-service-number-shaped ids that pass the eleven-test', () => {
    const rng = new Rng(1, 2, 3, 4);
    for (let i = 0; i < 500; i++) expect(looksLikeBsn(bsnLike(rng))).toBe(true);
    for (const r of manifest.badRows.rows.filter((x) => x.kind === 'bsn-shaped-id')) expect(r.learner_id).toMatch(/^\d{9}$/);
  });
});
