/**
 * Scale-out, on the embedded backend (one machine's files) and on PostgreSQL
 * (one database): two `pathways project` workers keep one
 * log's views current while two `serve --no-project` servers only read them.
 * The worker holding the writer lock is killed with SIGKILL in the middle of
 * its session; the other takes over, a later delivery is applied too, both
 * servers answer the same requests identically, and the views equal a
 * rebuild of the same log from zero.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithPostgres, postgresForTests, type TestDatabase } from '@leerroutes/event-store/test-support/postgres';
import { CLI_ENTRY, pathways } from './run-cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Running { readonly child: ChildProcess; stdout: string; stderr: string; exited: boolean }

function start(args: readonly string[]): Running {
  const child = spawn(process.execPath, [CLI_ENTRY, ...args], { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0' } });
  const run: Running = { child, stdout: '', stderr: '', exited: false };
  child.stdout!.on('data', (d: Buffer) => { run.stdout += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { run.stderr += d.toString(); });
  child.on('exit', () => { run.exited = true; });
  return run;
}

async function until<T>(what: string, probe: () => T | null | undefined | Promise<T | null | undefined>, timeoutMs = 240_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== null && v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Where the log and views are, as CLI arguments, and the views a rebuild from zero gives, dumped. */
interface Backend {
  readonly name: string;
  open(root: string): void;
  readonly at: string[];
  rebuiltViews(root: string): string;
}

const embedded = (): Backend => {
  let db = '';
  let views = '';
  return {
    name: 'the embedded backend',
    open(root) { db = join(root, 'log.sqlite'); views = join(root, 'log.views'); },
    get at() { return ['--db', db, '--views', views]; },
    rebuiltViews(root) {
      // Into a views directory of its own, so the live one stays as the workers left it.
      const rebuilt = join(root, 'rebuilt.views');
      const rb = pathways(['rebuild', '--db', db, '--views', rebuilt, '--quiet'], {}, 600_000);
      expect(rb.code, rb.stderr).toBe(0);
      const fresh = pathways(['dump', '--what', 'views', '--db', db, '--views', rebuilt]);
      expect(fresh.code, fresh.stderr).toBe(0);
      return fresh.stdout;
    },
  };
};

const postgresBackend = (database: TestDatabase): Backend => ({
  name: 'PostgreSQL',
  open() { /* the throwaway database is the whole location */ },
  get at() { return ['--db', database.url()]; },
  rebuiltViews() {
    // One database holds one set of views: rebuilt in place (the workers are stopped by then).
    const rb = pathways(['rebuild', '--db', database.url(), '--quiet'], {}, 600_000);
    expect(rb.code, rb.stderr).toBe(0);
    const fresh = pathways(['dump', '--what', 'views', '--db', database.url()]);
    expect(fresh.code, fresh.stderr).toBe(0);
    return fresh.stdout;
  },
});

describe('projection workers and read-only servers on one log (embedded)', () => scaleOut(embedded()));
const pg = await postgresForTests();
describeWithPostgres('projection workers and read-only servers on one PostgreSQL database', pg, (database) => scaleOut(postgresBackend(database)));

function scaleOut(backend: Backend): void {
  let root: string;
  const running: Running[] = [];

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'leerroutes-scale-'));
    backend.open(root);
    const gen = pathways(['generate', '--out', join(root, 'pop'), '--learners', '2500', '--cohorts', '2012-2014', '--seed', '11', '--redelivery', join(root, 'fix'), '--quiet']);
    expect(gen.code, gen.stderr).toBe(0);
    // The log first, without views: the workers' first session is the whole build, long enough to be killed in.
    const imp = pathways(['import', join(root, 'pop'), ...backend.at, '--known-at', '2023-11-01', '--no-projections', '--quiet']);
    expect(imp.code, imp.stderr).toBe(0);
  }, 600_000);

  afterAll(async () => {
    for (const r of running) if (!r.exited) r.child.kill('SIGKILL');
    await sleep(200);
    rmSync(root, { recursive: true, force: true });
  });

  it('a worker killed mid-session loses nothing; servers agree; the views equal a rebuild', async () => {
    const workers = [0, 1].map(() => start(['project', ...backend.at, '--poll', '50']));
    running.push(...workers);
    // The worker that waits names the one writing: that one is in the middle of its session.
    const holderPid = await until('a worker waiting for the other', () => {
      for (const w of workers) {
        const m = /being written by .*?\(pid (\d+)/.exec(w.stderr);
        if (m) return Number(m[1]);
      }
      return null;
    });
    const holder = workers.find((w) => w.child.pid === holderPid);
    expect(holder, `pid ${holderPid} is one of the workers`).toBeDefined();
    const other = workers.find((w) => w !== holder)!;
    await sleep(400);
    expect(holder!.stdout, 'the holder had not published yet when killed').not.toMatch(/published position/);
    holder!.child.kill("SIGKILL");
    await until('the killed worker to exit', () => holder!.exited);

    // The other worker takes the lock over and builds the views itself.
    await until('the surviving worker to catch up', () => /caught up at position \d+/.test(other.stdout));
    expect(other.stdout).toMatch(/published position \d+/);

    const key = pathways(['keys', 'create', '--role', 'analyst', '--name', 'scale-out-test', ...backend.at]);
    expect(key.code, key.stderr).toBe(0);
    const token = /(lr_[A-Za-z0-9_-]+)/.exec(key.stdout)?.[1];
    expect(token, key.stdout).toBeDefined();

    const servers = [0, 1].map(() => start(['serve', '--no-project', '--port', '0', ...backend.at]));
    running.push(...servers);
    const urls = await Promise.all(servers.map((s) => until('a server to be ready', () => (/ready at position/.test(s.stdout) ? /on (http:\/\/\S+?)\/ /.exec(s.stdout)?.[1] : null))));
    // Each says where it reads the keys from, and sees the one made above.
    for (const s of servers) expect(s.stdout).toMatch(/^API keys from \S+: 1 active$/m);

    // A corrected re-delivery, appended by another process: the surviving worker applies it, the servers move on.
    const fix = pathways(['import', join(root, 'fix'), ...backend.at, '--known-at', '2024-01-15', '--no-projections', '--quiet']);
    expect(fix.code, fix.stderr).toBe(0);
    const ready = async (url: string) => (await (await fetch(`${url}/ready`)).json()) as { checkpoint: number; head: number };
    await until('both servers to read views at the head of the log', async () => {
      const states = await Promise.all(urls.map(ready));
      return states.every((s) => s.checkpoint === s.head) && states[0]!.checkpoint === states[1]!.checkpoint;
    });

    const ask = async (url: string, path: string) => {
      const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status, path).toBe(200);
      const body = (await res.json()) as { rows: unknown[] };
      return body;
    };
    for (const path of [
      '/api/indicators/streams?cohortType=advice&cohort=2012-2013&by=parental_education',
      '/api/indicators/outcome?cohortType=advice&cohort=2012-2013&by=vo_school&asKnownOn=2023-12-31',
      '/api/indicators/early-leavers?cohortType=advice&cohort=2012-2013',
    ]) {
      const [a, b] = await Promise.all(urls.map((u) => ask(u!, path)));
      expect(a!.rows.length, path).toBeGreaterThan(0);
      expect(JSON.stringify(a), path).toBe(JSON.stringify(b));
    }

    // Nothing counted twice or lost: the views the workers built equal a rebuild from zero.
    const live = pathways(['dump', '--what', 'views', ...backend.at]);
    expect(live.code, live.stderr).toBe(0);
    for (const r of running) if (!r.exited) r.child.kill('SIGTERM');
    await until('workers and servers to stop', () => running.every((r) => r.exited));
    const fresh = backend.rebuiltViews(root);
    expect(live.stdout.length).toBeGreaterThan(1000);
    expect(live.stdout === fresh, 'views kept by the workers equal a rebuild').toBe(true);
  }, 900_000);
}
