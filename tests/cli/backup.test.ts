import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySqliteLog } from '@leerroutes/event-store/sqlite';
import { CLI_ENTRY, pathways } from './run-cli.js';

describe('pnpm pathways backup', () => {
  let root: string;
  let log: string;
  const dumpOf = (db: string) => pathways(['dump', '--what', 'log,ledger', '--db', db]);

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'leerroutes-backup-'));
    log = join(root, 'log.sqlite');
    expect(pathways(['generate', '--out', join(root, 'pop'), '--learners', '6000', '--cohorts', '2013-2015', '--seed', '3', '--quiet']).code).toBe(0);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('a copy taken while an import writes is one consistent state: the import resumed on the copy ends where the one it was taken from ended', async () => {
    const importing = spawn(process.execPath, [CLI_ENTRY, 'import', join(root, 'pop'), '--db', log, '--known-at', '2023-11-01', '--no-projections', '--quiet'], { stdio: 'ignore' });
    const exited = new Promise<number | null>((done) => importing.on('exit', (code) => done(code)));
    // As soon as the import has committed its first batches.
    const copy = join(root, 'during.sqlite');
    let taken: ReturnType<typeof copySqliteLog> | null = null;
    for (let i = 0; i < 600 && taken === null; i++) {
      await new Promise((r) => setTimeout(r, 50));
      if (!existsSync(log)) continue;
      const probe = new Database(log, { readonly: true, fileMustExist: true });
      let events = 0;
      try {
        events = (probe.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'events'").get() as { n: number }).n > 0
          ? (probe.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n : 0;
      } catch {
        // The file is still being made.
      } finally {
        probe.close();
      }
      if (events > 0) taken = copySqliteLog(log, copy);
    }
    expect(await exited).toBe(0);
    expect(taken).not.toBeNull();
    const finished = pathways(['stats', '--json', '--db', log]);
    const whole = JSON.parse(finished.stdout) as { events: number };
    // Taken in the middle, not after the end.
    expect(taken!.events).toBeGreaterThan(0);
    expect(taken!.events).toBeLessThan(whole.events);
    // Nothing half-made is left beside it.
    expect(readdirSync(root).filter((f) => f.includes('.partial-'))).toEqual([]);

    const resumed = pathways(['import', join(root, 'pop'), '--db', copy, '--known-at', '2023-11-01', '--no-projections', '--quiet']);
    expect(resumed.code).toBe(0);
    const a = dumpOf(log);
    const b = dumpOf(copy);
    expect(a.code).toBe(0);
    expect(b.stdout.length).toBeGreaterThan(1000);
    expect(b.stdout === a.stdout).toBe(true);
  }, 300_000);

  it('says what it copied, never writes over a file, and sends a PostgreSQL log to pg_dump', () => {
    const to = join(root, 'copy.sqlite');
    const made = pathways(['backup', '--db', log, '--to', to, '--json']);
    expect(made.code).toBe(0);
    const result = JSON.parse(made.stdout) as { path: string; events: number; lastPosition: number; bytes: number };
    expect(result).toMatchObject({ path: to, bytes: statSync(to).size });
    expect(result.events).toBe(JSON.parse(pathways(['stats', '--json', '--db', log]).stdout).events);

    const before = statSync(to);
    const again = pathways(['backup', '--db', log, '--to', to]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: .*copy\.sqlite exists: a copy is never written over/);
    expect(statSync(to).mtimeMs).toBe(before.mtimeMs);

    // A backup killed while copying leaves its half-made file, named by its process: the next one removes it
    // once that process is gone, and leaves a running backup's alone.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    const leftover = join(root, `second.sqlite.partial-${gone}`);
    const running = join(root, `second.sqlite.partial-${process.pid}`);
    writeFileSync(leftover, 'half a copy');
    writeFileSync(running, 'a copy being made');
    const second = pathways(['backup', '--db', log, '--to', join(root, 'second.sqlite')]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('Removed the half-made copy of a backup to the same name that was stopped');
    expect([existsSync(leftover), existsSync(running), existsSync(join(root, 'second.sqlite'))]).toEqual([false, true, true]);
    rmSync(running);

    // A folder no file can be made in (procfs, even for root): said as such, no stack trace.
    const nowhere = pathways(['backup', '--db', log, '--to', '/proc/leerroutes-copy.sqlite']);
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toMatch(/^error: cannot write the copy in \/proc: /);

    const pg = pathways(['backup', '--db', 'postgres://user:secret@db.example/x', '--to', join(root, 'pg.sqlite')]);
    expect(pg.code).toBe(1);
    expect(pg.stderr).toContain('pg_dump');
    expect(pg.stderr).not.toContain('secret');
    expect(existsSync(join(root, 'pg.sqlite'))).toBe(false);
  });
});
