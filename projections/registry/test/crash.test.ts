import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteEventStore } from '@leerroutes/event-store/sqlite';
import { catchUp, listGenerations, openDuckDbViews } from '@leerroutes/projection-runtime';
import { PROJECTIONS } from '../src/index.js';
import { appendDelivery, buildWorld } from './support/world.js';
import { cleanRebuildDump, dump, tempDir } from './support/views.js';

const CHILD = fileURLToPath(new URL('./support/child.ts', import.meta.url));

/** Run the child; SIGKILL it once it has reported `killAfter` committed batches. Resolves with what it printed. */
function runChild(args: string[], killAfter: number): Promise<{ lines: string[]; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const parts = pending.split('\n');
      pending = parts.pop()!;
      lines.push(...parts);
      if (lines.length >= killAfter && child.exitCode === null) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ lines, killed: true });
      else if (code === 0) resolve({ lines, killed: false });
      else reject(new Error(`child exited with ${code}: ${stderr}`));
    });
  });
}

/** A log with the first two yearly deliveries caught up and published, and the rest appended after. */
async function setup(learners: number) {
  const dir = tempDir();
  const logPath = join(dir, 'log.sqlite');
  const viewsDir = join(dir, 'log.views');
  const store = openSqliteEventStore({ path: logPath });
  const world = buildWorld({ learners, years: 6, seed: 5 });
  const views = await openDuckDbViews(viewsDir, { recheckMs: 0 });
  const [first, second, ...rest] = world.deliveries;
  await appendDelivery(store, first!);
  await appendDelivery(store, second!);
  await catchUp({ store, views, projections: PROJECTIONS });
  for (const delivery of rest) await appendDelivery(store, delivery);
  return { store, views, logPath, viewsDir, published: await dump(views) };
}

describe('killing the process and restarting ends with the same views', () => {
  it.each(['rebuild', 'rebuild-thread'])('in the middle of a rebuild (%s)', async (mode) => {
    const { store, views, logPath, viewsDir, published } = await setup(300);
    const run = await runChild([logPath, viewsDir, mode, '40'], 12);
    expect(run.killed).toBe(true);
    expect(run.lines.at(-1)).toMatch(/^rebuild \d+$/);
    // Killed with its generation half written: readers still see what was published, unchanged.
    expect(listGenerations(viewsDir)).toEqual(['gen-000001.duckdb', 'gen-000002.duckdb']);
    expect(await dump(views)).toBe(published);

    // Restart: the next catch-up clears the dead session's file away and brings the views to the head.
    const restart = await catchUp({ store, views, projections: PROJECTIONS, batchSize: 40 });
    expect(restart.published).toBe('gen-000003.duckdb');
    expect(await dump(views)).toBe(await cleanRebuildDump(store));
    expect(listGenerations(viewsDir)).toEqual(['gen-000003.duckdb']);
    await views.close();
    await store.close();
  });

  it('in the middle of an incremental catch-up', async () => {
    const { store, views, logPath, viewsDir, published } = await setup(300);
    const run = await runChild([logPath, viewsDir, 'catch-up', '30'], 10);
    expect(run.killed).toBe(true);
    expect(run.lines.at(-1)).toMatch(/^catch-up \d+$/);
    expect(listGenerations(viewsDir)).toEqual(['gen-000001.duckdb', 'gen-000002.duckdb']);
    expect(await dump(views)).toBe(published);

    // Restart in a new child this time, to the end.
    const restart = await runChild([logPath, viewsDir, 'catch-up', '30'], Number.POSITIVE_INFINITY);
    expect(restart.lines.at(-1)).toBe('done');
    expect(await dump(views)).toBe(await cleanRebuildDump(store));
    expect(listGenerations(viewsDir)).toEqual(['gen-000003.duckdb']);
    await views.close();
    await store.close();
  });
});
