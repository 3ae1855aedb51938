import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteEventStore } from '@leerroutes/event-store/sqlite';
import { catchUp, dumpViews, openViewsDatabase, readCheckpoints } from '@leerroutes/projection-runtime';
import { PROJECTIONS } from '../src/index.js';
import { appendDelivery, buildWorld } from './support/world.js';
import { cleanRebuildDump, tempDir } from './support/views.js';

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

async function setup(learners: number) {
  const dir = tempDir();
  const logPath = join(dir, 'log.sqlite');
  const viewsPath = join(dir, 'views.sqlite');
  const store = openSqliteEventStore({ path: logPath });
  const world = buildWorld({ learners, years: 6, seed: 5 });
  return { store, world, logPath, viewsPath };
}

describe('killing the process and restarting ends with the same views', () => {
  it('in the middle of a rebuild', async () => {
    const { store, world, logPath, viewsPath } = await setup(300);
    for (const delivery of world.deliveries) await appendDelivery(store, delivery);
    const head = await store.headPosition();

    const run = await runChild([logPath, viewsPath, 'rebuild', '40'], 12);
    expect(run.killed).toBe(true);
    const views = await openViewsDatabase(viewsPath);
    const interrupted = await readCheckpoints(views.db, 'learner-pathway');
    expect(interrupted.live).toBeNull();
    expect(interrupted.next!.position).toBeGreaterThan(0);
    expect(interrupted.next!.position).toBeLessThan(head);

    // Restart: the engine's start-up catch-up resumes the rebuild.
    await catchUp({ store, views, projections: PROJECTIONS, batchSize: 40 });
    expect(await dumpViews(views.db, PROJECTIONS)).toBe(await cleanRebuildDump(store));
    await views.close();
    await store.close();
  });

  it('in the middle of an incremental catch-up', async () => {
    const { store, world, logPath, viewsPath } = await setup(300);
    const views = await openViewsDatabase(viewsPath);
    const [first, second, ...rest] = world.deliveries;
    await appendDelivery(store, first!);
    await appendDelivery(store, second!);
    await catchUp({ store, views, projections: PROJECTIONS });
    const before = (await readCheckpoints(views.db, 'event-counts')).live!.position;
    for (const delivery of rest) await appendDelivery(store, delivery);
    const head = await store.headPosition();

    const run = await runChild([logPath, viewsPath, 'catch-up', '30'], 10);
    expect(run.killed).toBe(true);
    const reached = (await readCheckpoints(views.db, 'event-counts')).live!.position;
    expect(reached).toBeGreaterThan(before);
    expect(reached).toBeLessThan(head);

    // Restart in a new child this time, to the end.
    const restart = await runChild([logPath, viewsPath, 'catch-up', '30'], Number.POSITIVE_INFINITY);
    expect(restart.lines.at(-1)).toBe('done');
    expect(await dumpViews(views.db, PROJECTIONS)).toBe(await cleanRebuildDump(store));
    await views.close();
    await store.close();
  });
});
