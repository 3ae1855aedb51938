import { existsSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { version } from 'esbuild';
import { sourceWorker } from '../src/index.js';

const ECHO = new URL('./support/echo-worker.ts', import.meta.url).href;
const GREETING = new URL('./support/greeting.ts', import.meta.url).href;

const firstMessage = (worker: Worker): Promise<Record<string, unknown>> => new Promise((resolve, reject) => {
  worker.once('message', resolve);
  worker.once('error', reject);
});

describe('a worker on TypeScript source', () => {
  it('runs its entry and the modules it is given as bundled JavaScript, with packages from node_modules', async () => {
    const worker = sourceWorker(ECHO, { workerData: { module: GREETING, other: 'left alone' }, modules: [GREETING] });
    try {
      const m = await firstMessage(worker);
      expect(m['value']).toBe(42);
      expect(m['greeting']).toBe('hello, worker');
      expect(m['esbuild']).toBe(version);
      // Bundled, not loaded through tsx: both the entry and the module it imports by URL are JavaScript files of the bundle.
      expect(String(m['url'])).toMatch(/\.mjs$/);
      expect(String(m['module'])).toMatch(/\.mjs$/);
      expect(existsSync(fileURLToPath(String(m['module'])))).toBe(true);
    } finally {
      await worker.terminate();
    }
  });

  it('bundles again when its bundle was cleaned away (a long-running server)', async () => {
    const first = sourceWorker(ECHO, { workerData: { module: GREETING }, modules: [GREETING] });
    const was = String((await firstMessage(first))['url']);
    await first.terminate();
    rmSync(dirname(fileURLToPath(was)), { recursive: true, force: true });
    const again = sourceWorker(ECHO, { workerData: { module: GREETING }, modules: [GREETING] });
    try {
      const m = await firstMessage(again);
      expect(m['value']).toBe(42);
      expect(String(m['url'])).toMatch(/\.mjs$/);
      expect(m['url']).not.toBe(was);
    } finally {
      await again.terminate();
    }
  });

  it('bundles once for several workers of the same modules', async () => {
    const workers = [0, 1].map(() => sourceWorker(ECHO, { workerData: { module: GREETING }, modules: [GREETING] }));
    try {
      const [a, b] = await Promise.all(workers.map(firstMessage));
      expect(a!['url']).toBe(b!['url']);
      expect(a!['value']).toBe(42);
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  });
});
