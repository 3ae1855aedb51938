/**
 * The README's "questions of SPEC section 1" commands, run as written against
 * the shipped sample (imported once, with its correction): each must exit 0
 * and answer with rows that count someone. A command that drifts from the
 * CLI, or a question whose report comes out empty, fails here.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathways } from './run-cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('<!-- questions:start -->'), readme.indexOf('<!-- questions:end -->'));
/** Question number -> its commands (the words after `pnpm pathways`). */
const questions = new Map<number, string[][]>();
let current = 0;
for (const line of section.split('\n')) {
  const q = /^(\d+)\. /.exec(line);
  if (q) current = Number(q[1]);
  const c = /^\s*pnpm pathways (.+)$/.exec(line);
  if (c && current > 0) questions.set(current, [...(questions.get(current) ?? []), c[1]!.trim().split(/\s+/)]);
}

describe("the README's commands for the questions of SPEC section 1", () => {
  let root: string;
  let db: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'leerroutes-questions-'));
    db = join(root, 'sample.sqlite');
    for (const [dir, knownAt] of [['samples/small', '2023-11-01'], ['samples/small-correction', '2024-01-15']] as const) {
      const r = pathways(['import', join(ROOT, dir), '--known-at', knownAt, '--quiet'], { PATHWAYS_DB: db });
      expect(r.code, r.stderr).toBe(0);
    }
  }, 300_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('lists a command for each of the ten questions', () => {
    expect([...questions.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  for (let n = 1; n <= 10; n++) {
    it(`question ${n}`, () => {
      for (const args of questions.get(n) ?? []) {
        // A loaded CI machine may take minutes for the school tables; a timeout here would hide the answer, not test it.
        const r = pathways([...args, '--format', 'json'], { PATHWAYS_DB: db }, 280_000);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
        const report = JSON.parse(r.stdout) as { rows: { count: number | null }[] };
        expect(report.rows.some((row) => (row.count ?? 0) > 0), args.join(' ')).toBe(true);
      }
    }, 900_000);
  }
});
