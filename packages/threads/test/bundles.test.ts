import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Metafile } from 'esbuild';
import { cachedBundle, keepBundle, newCacheDir } from '../src/bundles.js';

const FIRST_URL = fileURLToPath(new URL('./support/first-url.ts', import.meta.url));

describe('worker bundles kept between processes', () => {
  let tmp: string;
  let was: string | undefined;
  beforeEach(() => {
    // os.tmpdir() follows TMPDIR: the cache of these tests is their own.
    was = process.env['TMPDIR'];
    tmp = mkdtempSync(join(tmpdir(), 'bundle-cache-test-'));
    process.env['TMPDIR'] = tmp;
  });
  afterEach(() => {
    if (was === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = was;
    rmSync(tmp, { recursive: true, force: true });
  });

  it('are used again by the next process, which then starts its worker without bundling', () => {
    const run = () => spawnSync(process.execPath, ['--import', 'tsx', FIRST_URL], { encoding: 'utf8', env: { ...process.env, TMPDIR: tmp } });
    const first = run();
    const second = run();
    expect(first.status, first.stderr).toBe(0);
    expect(second.status, second.stderr).toBe(0);
    const [url1, value1] = first.stdout.trim().split(' ');
    const [url2, value2] = second.stdout.trim().split(' ');
    expect([value1, value2]).toEqual(['42', '42']);
    // The same bundle: without the cache each process bundles into a directory of its own, removed at its exit.
    expect(url2).toBe(url1);
    expect(url1).toContain(join(tmp, 'leerroutes-bundles'));
  });

  describe('a kept bundle', () => {
    let src: string;
    let sources: string[];
    let dir: string;
    const metafile = (external: string): Metafile => ({
      inputs: { 'entry.ts': { bytes: 1, imports: [] }, 'dep.ts': { bytes: 1, imports: [] } },
      outputs: { 'entry-0.mjs': { bytes: 1, inputs: {}, imports: [{ path: external, kind: 'import-statement', external: true }, { path: 'node:fs', kind: 'import-statement', external: true }], exports: [], entryPoint: 'entry.ts' } },
    });
    beforeEach(() => {
      src = mkdtempSync(join(tmp, 'src-'));
      for (const [name, text] of [['entry.ts', 'export const a = 1;'], ['dep.ts', 'export const b = 2;'], ['package.json', '{"name":"x"}'], ['ext.js', '']]) writeFileSync(join(src, name!), text!);
      sources = [`file://${join(src, 'entry.ts')}`];
      dir = newCacheDir(sources)!;
      writeFileSync(join(dir, 'entry-0.mjs'), 'import "./chunk-A.mjs"; export {};');
      writeFileSync(join(dir, 'chunk-A.mjs'), 'export const c = 3;');
      keepBundle(sources, dir, metafile(join(src, 'ext.js')), src);
    });

    it('is found while its sources are as they were, by content: a file written again the same still counts', () => {
      expect(cachedBundle(sources)).toBe(dir);
      writeFileSync(join(src, 'dep.ts'), 'export const b = 3;');
      expect(cachedBundle(sources)).toBeNull();
      writeFileSync(join(src, 'dep.ts'), 'export const b = 2;');
      expect(cachedBundle(sources)).toBe(dir);
      // Another set of entries has no bundle.
      expect(cachedBundle([`file://${join(src, 'dep.ts')}`])).toBeNull();
    });

    it('is not used once a package.json above its sources, a package it imports, or its own entry changed or went', () => {
      writeFileSync(join(src, 'package.json'), '{"name":"x","exports":"./other.js"}');
      expect(cachedBundle(sources)).toBeNull();
      writeFileSync(join(src, 'package.json'), '{"name":"x"}');
      expect(cachedBundle(sources)).toBe(dir);
      rmSync(join(src, 'ext.js'));
      expect(cachedBundle(sources)).toBeNull();
      writeFileSync(join(src, 'ext.js'), '');
      rmSync(join(dir, 'entry-0.mjs'));
      expect(cachedBundle(sources)).toBeNull();
    });

    it('is not used once a file of its own was cut short or went (a temporary directory cleaned by age, a full disk)', () => {
      writeFileSync(join(dir, 'chunk-A.mjs'), 'export const c');
      expect(cachedBundle(sources)).toBeNull();
      writeFileSync(join(dir, 'chunk-A.mjs'), 'export const c = 3;');
      expect(cachedBundle(sources)).toBe(dir);
      rmSync(join(dir, 'chunk-A.mjs'));
      expect(cachedBundle(sources)).toBeNull();
    });

    it('is not used, nor is one made, where others may write into the cache', () => {
      chmodSync(join(tmp, 'leerroutes-bundles'), 0o777);
      expect(cachedBundle(sources)).toBeNull();
      expect(newCacheDir(sources)).toBeNull();
      chmodSync(join(tmp, 'leerroutes-bundles'), 0o700);
      expect(cachedBundle(sources)).toBe(dir);
    });

    it('replaces the one before it, which is removed once an hour old', () => {
      const next = newCacheDir(sources)!;
      writeFileSync(join(next, 'entry-0.mjs'), 'export {};');
      keepBundle(sources, next, metafile(join(src, 'ext.js')), src);
      expect(cachedBundle(sources)).toBe(next);
      // Younger than an hour: still there for a process that may start workers on it.
      expect(readdirSync(join(tmp, 'leerroutes-bundles'))).toContain(dir.split('/').pop());
    });
  });
});
