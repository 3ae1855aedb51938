import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { version } from 'esbuild';
import { sourceWorker } from '../src/index.js';

const ECHO = new URL('./support/echo-worker.ts', import.meta.url).href;
const GREETING = new URL('./support/greeting.ts', import.meta.url).href;
const DOUBLE = new URL('./support/double.ts', import.meta.url).href;

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

  it("removes the bundles of processes that were killed, and no one else's", async () => {
    // A process that has ended, and one that is alive (the test runner that started this one).
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadDir = mkdtempSync(join(tmpdir(), `leerroutes-threads-${dead.stdout}-`));
    const liveDir = mkdtempSync(join(tmpdir(), `leerroutes-threads-${process.ppid}-`));
    const otherDir = mkdtempSync(join(tmpdir(), 'leerroutes-threads-other-'));
    try {
      // A set of modules not bundled yet in this process: the next bundle sweeps first.
      const worker = sourceWorker(ECHO, { workerData: { module: GREETING }, modules: [GREETING, DOUBLE] });
      try {
        expect((await firstMessage(worker))['value']).toBe(42);
      } finally {
        await worker.terminate();
      }
      expect(existsSync(deadDir)).toBe(false);
      expect(existsSync(liveDir)).toBe(true);
      expect(existsSync(otherDir)).toBe(true);
    } finally {
      for (const d of [deadDir, liveDir, otherDir]) rmSync(d, { recursive: true, force: true });
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
