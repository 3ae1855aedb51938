/**
 * The command line refuses what it would otherwise ignore: a misspelled
 * option used to print a different report as if it had been asked for.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pathways } from './run-cli.js';

const root = mkdtempSync(join(tmpdir(), 'leerroutes-strict-'));
const db = join(root, 'absent.sqlite');
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The eleven-test of a citizen service number, written out here rather than taken from the code under test. */
const elevenTest = (id: string): boolean =>
  /^\d{9}$/.test(id) && [...id].reduce((sum, d, i) => sum + (i < 8 ? (9 - i) * Number(d) : -Number(d)), 0) % 11 === 0;

describe('a strict command line', () => {
  it.each([
    [['--cohort_type', 'intake'], '--cohort-type'],
    [['--min_cell', '50'], '--min-cell'],
    [['--as-known', '2020-01-01'], '--as-known-on'],
    [['--unsupressed'], '--unsuppressed'],
  ])('report %j is a usage error that names %s', (typo, meant) => {
    const r = pathways(['report', 'advice-position', '--cohort', '2012-2013', ...typo, '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`error: unknown option ${typo[0]} (did you mean ${meant}?)`);
    expect(r.stderr).toContain('Usage: pnpm pathways report');
  });

  it.each([['stats'], ['import', root], ['report', 'advice-position', '--cohort', '2012-2013']])(
    '%s on a PostgreSQL server that cannot be reached says where and what to check, with no stack trace',
    (...args) => {
      const r = pathways([...args, '--db', 'postgresql://someone:secret@127.0.0.1:1/db']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('error: cannot connect to PostgreSQL at postgresql://someone:***@127.0.0.1:1/db: connect ECONNREFUSED 127.0.0.1:1; is the server running');
      expect(r.stderr).not.toContain('secret');
      expect(r.stderr).not.toMatch(/^\s+at /m);
    },
  );

  it('a --db that is a directory and --views that is a file are named, with what to pass instead; no stack trace', () => {
    const asDirectory = pathways(['stats', '--db', root]);
    expect(asDirectory.code).toBe(1);
    expect(asDirectory.stderr).toBe(`error: cannot open the event log at ${root}: it is a directory (--db names the log's file, for example ./data/pathways.sqlite)\n`);
    const log = join(root, 'log.sqlite');
    writeFileSync(log, '');
    const viewsFile = join(root, 'views.file');
    writeFileSync(viewsFile, 'not views');
    const r = pathways(['report', 'advice-position', '--cohort', '2012-2013', '--db', log, '--views', viewsFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: ${viewsFile} is a file, not a views directory`);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('a switch given a value is a usage error', () => {
    const r = pathways(['report', 'advice-position', '--cohort', '2012-2013', '--unsuppressed=yes', '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--unsuppressed is a switch and takes no value');
  });

  it("help <command> prints that command's usage, as <command> --help does", () => {
    const viaHelp = pathways(['help', 'report']);
    const viaFlag = pathways(['report', '--help']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toMatch(/^Usage: pnpm pathways report <indicator>/);
    expect(viaHelp.stdout).toMatch(/^ {2}--cohort-type advice\|intake\|leerjaar3 /m);
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
    const unknown = pathways(['help', 'reprot']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown command 'reprot' (did you mean 'report'?)");
  });

  it('learner refuses an id shaped like a citizen service number, and only such an id', () => {
    expect(elevenTest('111222333')).toBe(true);
    expect(elevenTest('111222334')).toBe(false);
    const bsn = pathways(['learner', '111222333', '--db', db]);
    expect(bsn.code).toBe(2);
    expect(bsn.stderr).toMatch(/citizen service number/);
    expect(bsn.stderr).not.toContain('111222333');
    // Nine digits failing the eleven-test are an ordinary id: the command goes on to look for the log.
    const other = pathways(['learner', '111222334', '--db', db]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/no event log/);
  });
});
