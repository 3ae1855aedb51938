import { copyFileSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathways } from './run-cli.js';

/**
 * The README's remedy for a damaged log is to restore a copy. The views made
 * from the log before that are then ahead of it: this is what the user sees.
 */
describe('a log restored from an earlier copy, with the views made before', () => {
  let root: string;
  let log: string;
  let views: string;
  const outcome = (viewsDir: string) => pathways(['report', 'outcome', '--cohort-type', 'advice', '--cohort', '2014-2015', '--format', 'json', '--db', log, '--views', viewsDir]);

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'leerroutes-restore-'));
    log = join(root, 'log.sqlite');
    views = join(root, 'views');
    const generated = pathways(['generate', '--out', join(root, 'pop'), '--learners', '400', '--cohorts', '2013-2015', '--seed', '11', '--redelivery', join(root, 'fix'), '--quiet']);
    expect(generated.code).toBe(0);
    // Learners of the same ids, other histories: a delivery the restored log gets that the views never saw.
    expect(pathways(['generate', '--out', join(root, 'other'), '--learners', '150', '--cohorts', '2013-2015', '--seed', '12', '--quiet']).code).toBe(0);
    expect(pathways(['import', join(root, 'pop'), '--db', log, '--views', views, '--known-at', '2023-11-01', '--quiet']).code).toBe(0);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reports and catch-ups say the views were made from another state of the log, and a rebuild remedies it', () => {
    const copy = join(root, 'copy.sqlite');
    expect(pathways(['backup', '--db', log, '--to', copy]).code).toBe(0);
    expect(pathways(['import', join(root, 'fix'), '--db', log, '--views', views, '--known-at', '2024-02-01', '--quiet']).code).toBe(0);

    // The restore, as 'pathways help backup' tells it: the log and its -wal and -shm aside, the copy in its place.
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(`${log}${suffix}`)) renameSync(`${log}${suffix}`, `${log}.damaged${suffix}`);
    copyFileSync(copy, log);

    const report = outcome(views);
    expect(report.code).toBe(1);
    expect(report.stdout).toBe('');
    expect(report.stderr).toMatch(/^error: the views in .* were made from another state of the event log: they have read the log up to position \d+, which the log has never reached/);
    expect(report.stderr).toContain('run `pathways rebuild`');
    expect(report.stderr).not.toContain('    at ');
    expect(pathways(['catch-up', '--db', log, '--views', views]).code).toBe(1);

    // New events at the positions the views have read: the import lands, the views are not brought up from their checkpoint.
    const other = pathways(['import', join(root, 'other'), '--db', log, '--views', views, '--known-at', '2024-03-01', '--no-progress']);
    expect(other.code).toBe(1);
    expect(other.stdout).toContain('the delivery is in the log; bringing the views up to date failed');
    expect(other.stderr).toMatch(/where the log holds event/);

    const rebuilt = pathways(['rebuild', '--db', log, '--views', views, '--quiet']);
    expect(rebuilt.code).toBe(0);
    const after = outcome(views);
    expect(after.code).toBe(0);
    // The same figures as views made from nothing out of the log as it now is.
    expect(pathways(['rebuild', '--db', log, '--views', join(root, 'fresh'), '--quiet']).code).toBe(0);
    const fresh = outcome(join(root, 'fresh'));
    expect(JSON.parse(after.stdout).rows).toEqual(JSON.parse(fresh.stdout).rows);
    expect(JSON.parse(after.stdout).rows.length).toBeGreaterThan(0);
  }, 300_000);
});
