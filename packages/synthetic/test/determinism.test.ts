import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildWorld, generatePopulation, learnerId, simulateLearner } from '../src/index.js';
import { adviceFields, adviceLine, diplomaFields, diplomaLine, enrolmentFields, enrolmentLine, learnerFields, learnerLine } from '../src/csv.js';
import { hashes, tempDir, removeTempDirs } from './helpers.js';

afterAll(removeTempDirs);

const base = { learners: 1500, cohorts: '2013-2015', until: 2021 } as const;

describe('determinism', () => {
  it('writes byte-identical files for the same seed and options, including bad rows and the re-delivery', async () => {
    const runs = await Promise.all(['a', 'b'].map(async (n) => {
      const out = tempDir(`det-${n}`);
      const re = tempDir(`det-${n}-re`);
      await generatePopulation({ ...base, out, seed: 'same', badRows: 0.01, redelivery: re });
      return { out: hashes(out), re: hashes(re) };
    }));
    expect(Object.keys(runs[0]!.out)).toEqual(['advice.csv', 'areas.csv', 'diplomas.csv', 'enrollments.csv', 'institutions.csv', 'learners.csv', 'manifest.json']);
    expect(runs[1]!.out).toEqual(runs[0]!.out);
    expect(runs[1]!.re).toEqual(runs[0]!.re);
  });

  it('writes different data for a different seed', async () => {
    const [a, b] = await Promise.all(['x', 'y'].map(async (seed) => {
      const out = tempDir(`seed-${seed}`);
      await generatePopulation({ ...base, out, seed });
      return hashes(out);
    }));
    for (const f of ['enrollments.csv', 'advice.csv', 'diplomas.csv', 'learners.csv']) expect(a![f]).not.toEqual(b![f]);
  });

  it('makes a learner a pure function of (seed, index): regenerating one learner alone gives the rows in the file', async () => {
    const out = tempDir('pure');
    await generatePopulation({ ...base, out, seed: 'pure' });
    const lines = readFileSync(join(out, 'enrollments.csv'), 'utf8').split('\n');
    const world = buildWorld({ seed: 'pure', learners: base.learners, firstIntake: 2013, lastIntake: 2015, until: 2021 });
    for (const index of [0, 777, base.learners - 1]) {
      const alone = simulateLearner(world, index);
      const id = learnerId(index);
      expect(alone.id).toBe(id);
      const inFile = lines.filter((l) => l.startsWith(id + ','));
      expect(inFile.length).toBeGreaterThan(1);
      expect(alone.enrolments.map((e) => enrolmentLine(id, e).trimEnd())).toEqual(inFile);
    }
  });

  it('formats a row the same way on the fast path and as fields (which bad rows are built from)', () => {
    const world = buildWorld({ seed: 'fmt', learners: 200, firstIntake: 2013, lastIntake: 2015, until: 2021 });
    let checked = 0;
    for (let i = 0; i < 200; i++) {
      const l = simulateLearner(world, i);
      for (const e of l.enrolments) expect(enrolmentLine(l.id, e)).toBe(enrolmentFields(l.id, e).join(',') + '\n');
      for (const a of l.advice) expect(adviceLine(l.id, a)).toBe(adviceFields(l.id, a).join(',') + '\n');
      for (const d of l.diplomas) expect(diplomaLine(l.id, d)).toBe(diplomaFields(l.id, d).join(',') + '\n');
      for (const r of l.learners) expect(learnerLine(l.id, r)).toBe(learnerFields(l.id, r).join(',') + '\n');
      checked += l.enrolments.length + l.advice.length + l.diplomas.length;
    }
    expect(checked).toBeGreaterThan(2000);
  });

  it('does not change a clean row when bad rows or a re-delivery are asked for', async () => {
    const clean = tempDir('clean');
    const dirty = tempDir('dirty');
    await generatePopulation({ ...base, out: clean, seed: 's' });
    const summary = await generatePopulation({ ...base, out: dirty, seed: 's', badRows: 0.02, redelivery: tempDir('dirty-re') });
    expect(summary.badRows.total).toBeGreaterThan(0);
    const manifest = JSON.parse(readFileSync(join(dirty, 'manifest.json'), 'utf8')) as { badRows: { rows: { file: string; line: number }[] } };
    for (const f of ['enrollments.csv', 'advice.csv', 'diplomas.csv', 'learners.csv']) {
      const bad = new Set(manifest.badRows.rows.filter((r) => r.file === f).map((r) => r.line));
      const kept = readFileSync(join(dirty, f), 'utf8').split('\n').filter((_, i) => !bad.has(i + 1));
      expect(kept.join('\n')).toEqual(readFileSync(join(clean, f), 'utf8'));
    }
  });
});
