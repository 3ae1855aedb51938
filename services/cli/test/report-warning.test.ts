/**
 * `pathways report` says so when publishing could not protect every hidden
 * cell (the limit of tables that share margins): in the table's heading, and
 * on stderr for csv and json, which go to files where nobody reads a heading.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command as generate } from '../src/commands/generate.js';
import { command as importCommand } from '../src/commands/import.js';
import { command as report } from '../src/commands/report.js';
import type { Command } from '../src/command.js';

let dir: string;
let db: string;

async function run(cmd: Command, args: string[], flags: Record<string, string | boolean>): Promise<{ out: string; err: string }> {
  let out = '';
  let err = '';
  const stdout = new Writable({ write(chunk, _enc, cb) { out += String(chunk); cb(); } });
  const stderr = new Writable({ write(chunk, _enc, cb) { err += String(chunk); cb(); } });
  expect(await cmd.run({ args, flags, env: {}, stdout, stderr })).toBe(0);
  return { out, err };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pathways-report-warning-'));
  db = join(dir, 'log.sqlite');
  await run(generate, [], { out: join(dir, 'csv'), learners: '300', seed: '7', quiet: true });
  await run(importCommand, [join(dir, 'csv')], { db, quiet: true });
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pathways report and unprotected cells', () => {
  it('warns on stderr (csv, json) and in the heading (table) with the count the report carries', async () => {
    const flags = { db, cohort: '2013-2014', by: 'area,gender' };
    const json = JSON.parse((await run(report, ['school-profile'], { ...flags, format: 'json' })).out) as { unprotected?: number };
    expect(json.unprotected).toBeGreaterThan(0);
    const n = json.unprotected!;
    const csv = await run(report, ['school-profile'], { ...flags, format: 'csv' });
    expect(csv.err).toContain(`warning: ${n} small hidden cells of this school-profile table by area, gender can be worked out`);
    expect(csv.out).not.toContain('warning');
    const table = await run(report, ['school-profile'], flags);
    expect(table.out).toContain(`WARNING: ${n} small hidden cells of this school-profile table by area, gender can be worked out`);
  }, 60_000);

  it('says nothing when every hidden cell is protected, and nothing unsuppressed', async () => {
    const plain = await run(report, ['outcome'], { db, cohort: '2013-2014', format: 'json' });
    expect(JSON.parse(plain.out).unprotected).toBe(0);
    expect(plain.err).not.toContain('warning');
    const open = await run(report, ['transitions'], { db, cohort: '2013-2014', by: 'vo_school', format: 'json', unsuppressed: true });
    expect(JSON.parse(open.out).unprotected).toBeUndefined();
    expect(open.err).not.toContain('warning');
  }, 60_000);
});
