import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const SCRIPT = join(ROOT, 'packages', 'indicators', 'crosscheck', 'crosscheck.py');

type Line = { reports: number; cells: number; differ: number };

/**
 * The cross-check's two summary tables, per indicator: the comparison (reports, cells compared, cells
 * differing) and the suppression check of the published reports (reports, hidden cells, wrong ones).
 */
function tables(stdout: string): [Map<string, Line>, Map<string, Line>] {
  const parse = (text: string): Map<string, Line> => {
    const rows = new Map<string, Line>();
    for (const line of text.split('\n')) {
      const m = /^([a-z-]+)\s+(\d+)\s+(\d+)\s+(\d+)$/.exec(line.trim());
      if (m) rows.set(m[1]!, { reports: Number(m[2]), cells: Number(m[3]), differ: Number(m[4]) });
      if (m?.[1] === 'total') break;
    }
    return rows;
  };
  const first = stdout.indexOf('\nindicator ');
  const second = stdout.indexOf('\nsuppression (SPEC 9');
  return [parse(stdout.slice(first, second < 0 ? undefined : second)), parse(second < 0 ? '' : stdout.slice(second))];
}

/**
 * The independent Python implementation of SPEC 6 (packages/indicators/crosscheck) against
 * `pathways report --unsuppressed`, on a small seeded population with its hand-made edge cases and a
 * corrected re-delivery: every indicator, cohort type, rule set, a breakdown and the edition as known
 * before the re-delivery (the rotated --quick matrix). Any differing cell fails, and so does a published
 * (suppressed) report that shows a small cell, a wrong count, or lets a hidden cell be recomputed.
 */
describe('cross-check: an independent implementation of the definitions agrees cell by cell', () => {
  it('agrees on every indicator of a seeded population of 800 learners (quick matrix)', (ctx) => {
    if (spawnSync('python3', ['--version']).status !== 0) ctx.skip('python3 is not installed');
    const r = spawnSync('python3', [SCRIPT, '--generate', '800', '--seed', '5', '--quick', '--show', '3'], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' }, timeout: 280_000,
    });
    const output = `${r.stdout}\n${r.stderr}`;
    expect(r.error, output).toBeUndefined();
    const [compared, suppression] = tables(r.stdout);
    const indicators = [
      'advice-position', 'outcome', 'streams', 'distribution', 'transitions', 'flows', 'stacked-routes',
      'advice-test', 'advice-revisions', 'time-in-vo', 'onderbouwsnelheid', 'bovenbouwsucces', 'early-leavers',
      'after-mbo', 'vmbo-mbo-loss', 'school-profile',
    ];
    // Every indicator ran, compared cells, and none differs.
    expect([...compared.keys()].filter((k) => k !== 'total').sort(), output).toEqual([...indicators].sort());
    for (const name of indicators) {
      const row = compared.get(name)!;
      expect(row.reports, `${name}\n${output}`).toBeGreaterThan(0);
      expect(row.cells, `${name}\n${output}`).toBeGreaterThan(0);
      expect(row.differ, `${name} differs\n${output}`).toBe(0);
    }
    // Every indicator's published reports hide cells, and no hidden cell breaks a property of SPEC 9.
    expect([...suppression.keys()].filter((k) => k !== 'total').sort(), output).toEqual([...indicators].sort());
    for (const name of indicators) {
      const row = suppression.get(name)!;
      expect(row.cells, `${name} hides nothing\n${output}`).toBeGreaterThan(0);
      expect(row.differ, `${name} suppression\n${output}`).toBe(0);
    }
    expect(r.status, output).toBe(0);
    // The disagreements with the SPEC are counted and printed, not hidden.
    expect(r.stdout).toMatch(/disagreements with the SPEC/);
  }, 300_000);
});
