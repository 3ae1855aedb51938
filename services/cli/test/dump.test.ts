/**
 * `pathways dump` writes the engine's dump line by line: the same text as
 * engine.dump(), also into an output that keeps asking it to wait (a 110k
 * log's dump is larger than one string can be, so it cannot be built first).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { openEngine } from '@leerroutes/engine';
import { openSqliteEventStore } from '@leerroutes/event-store/sqlite';
import { openLedger } from '@leerroutes/import';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command as dump } from '../src/commands/dump.js';
import { command as generate } from '../src/commands/generate.js';
import { command as importCommand } from '../src/commands/import.js';
import type { Command } from '../src/command.js';

let dir: string;
let db: string;

async function run(cmd: Command, args: string[], flags: Record<string, string | boolean>, stdout?: Writable): Promise<void> {
  const sink = () => new Writable({ write(_chunk, _enc, cb) { cb(); } });
  const code = await cmd.run({ args, flags, env: {}, stdout: stdout ?? sink(), stderr: sink() });
  expect(code).toBe(0);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pathways-dump-'));
  db = join(dir, 'log.sqlite');
  await run(generate, [], { out: join(dir, 'csv'), learners: '200', seed: '5', quiet: true });
  await run(importCommand, [join(dir, 'csv')], { db, 'known-at': '2022-11-01', quiet: true });
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pathways dump', () => {
  it('prints what engine.dump() gives, into a slow output that applies back-pressure', async () => {
    let out = '';
    let writes = 0;
    // A tiny buffer that empties on a later turn: write() keeps answering false, and only 'drain' says go on.
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk, _enc, cb) { writes++; out += String(chunk); setImmediate(cb); },
    });
    await run(dump, [], { db }, slow);
    const engine = await openEngine({ db });
    const expected = await engine.dump(['log', 'ledger', 'views']);
    await engine.close();
    expect(out).toBe(expected);
    expect(expected.split('\n').length).toBeGreaterThan(5000);
    // Written in pieces, not as one string.
    expect(writes).toBeGreaterThan(1);
    for (const part of ['## log', '## ledger', '## views', '# event_count']) expect(out).toContain(part);
    // The ledger's part, streamed row by row, is the text its one-string dump gives.
    const store = openSqliteEventStore({ path: db });
    const whole = await (await openLedger(store)).dump();
    await store.close();
    expect(out.slice(out.indexOf('## ledger\n') + '## ledger\n'.length, out.indexOf('## views\n'))).toBe(whole);
    expect(whole.split('\n').length).toBeGreaterThan(1000);
  }, 120_000);

  it('leaves quietly when its reader stops early, as `pathways dump | head` does', async () => {
    const pathways = join(import.meta.dirname, '..', 'bin', 'pathways.js');
    const child = spawn(process.execPath, [pathways, 'dump', '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => { stderr += String(c); });
    // Read the first chunk, then close the pipe while the dump still has much more to write.
    const first = await new Promise<string>((resolve) => child.stdout.once('data', (c) => resolve(String(c))));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(first.startsWith('## log')).toBe(true);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 60_000);
});
