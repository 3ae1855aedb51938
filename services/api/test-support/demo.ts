/**
 * A server on generated data, for the end-to-end tests, the browser test, the
 * load test and the README screenshot: generate a seeded population, import
 * it into a fresh engine, make one key per role, serve API and dashboard on a
 * free loopback port.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDashboard } from '@leerroutes/dashboard';
import { openEngine, type Engine } from '@leerroutes/engine';
import { defaultPublishThreads } from '@leerroutes/indicators';
import { generatePopulation } from '@leerroutes/synthetic';
import { openSqliteAccessStore, type AccessStore, type Role } from '../src/access/index.js';
import { engineService } from '../src/engine-service.js';
import { startServer, type RunningServer } from '../src/server.js';
import type { ReportService } from '../src/service.js';

export interface Demo {
  readonly dir: string;
  readonly engine: Engine;
  readonly service: ReportService;
  readonly access: AccessStore;
  readonly keys: Readonly<Record<Role, string>>;
  readonly server: RunningServer;
  close(): Promise<void>;
}

export interface DemoOptions {
  readonly learners?: number;
  /** Intake years, as for the generator. */
  readonly cohorts?: string;
  readonly seed?: number;
  readonly port?: number;
  readonly withDashboard?: boolean;
  readonly minCell?: number;
  /** Hand the page a dashboard key, as `serve --open-dashboard` does. */
  readonly openDashboard?: boolean;
}

export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const dir = mkdtempSync(join(tmpdir(), 'leerroutes-demo-'));
  try {
    await generatePopulation({ out: join(dir, 'csv'), learners: options.learners ?? 2000, cohorts: options.cohorts ?? '2012-2013', seed: options.seed ?? 20170601 });
    // As `pathways serve` opens it: reports published in worker threads.
    const engine = await openEngine({ db: join(dir, 'log.sqlite'), publishThreads: defaultPublishThreads() });
    await engine.importDirectory(join(dir, 'csv'), { knownAt: '2022-11-01' });
    const access = await openSqliteAccessStore({ path: join(dir, 'log.api.sqlite') });
    const keys = {} as Record<Role, string>;
    for (const role of ['dashboard', 'analyst', 'engineer'] as const) keys[role] = (await access.createKey(`demo-${role}`, role)).key;
    const service = engineService(engine);
    const dashboard = options.withDashboard === false ? undefined : await loadDashboard();
    const dashboardKey = options.openDashboard ? access.createEphemeralKey('open-dashboard', 'dashboard') : null;
    const server = await startServer({ service, access, port: options.port ?? 0, host: '127.0.0.1', dashboardKey, ...(dashboard ? { dashboard } : {}), ...(options.minCell ? { minCell: options.minCell } : {}) });
    return {
      dir, engine, service, access, keys, server,
      async close() {
        await server.close();
        await access.close();
        await engine.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
