import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const BUNDLES = new URL('../src/bundles.js', import.meta.url).href;

interface Report { readonly own: string; readonly at: string; readonly b: number }

describe("a process's own program, started from a bundle (importBundled, as the CLI's launcher does)", () => {
  let tmp: string;
  let src: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'program-bundle-test-'));
    src = mkdtempSync(join(tmp, 'src-'));
    writeFileSync(join(src, 'package.json'), '{"name":"program","type":"module"}');
    // The program says where it runs from (its first stack frame) and what it takes for its own URL.
    writeFileSync(join(src, 'entry.ts'), [
      "import { b } from './dep.ts';",
      'const at: string = new Error().stack!.split("\\n")[1]!;',
      'console.log(JSON.stringify({ own: import.meta.url, at, b }));',
    ].join('\n'));
    writeFileSync(join(src, 'dep.ts'), 'export const b: number = 2;');
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  /** A process of its own whose temporary directory (and so the cache) is this test's. */
  const run = () => {
    const entry = pathToFileURL(join(src, 'entry.ts')).href;
    const code = `import { importBundled } from ${JSON.stringify(BUNDLES)}; await importBundled(${JSON.stringify(entry)});`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', env: { ...process.env, TMPDIR: tmp } });
    return { status: r.status, stderr: r.stderr, report: r.status === 0 ? (JSON.parse(r.stdout) as Report) : null };
  };
  const cacheDir = () => join(tmp, 'leerroutes-bundles');
  const bundleDirOf = (at: string) => /leerroutes-bundles\/([^/]+)\/entry-0\.mjs/.exec(at)?.[1];

  it('runs from a bundle kept for the next process, each module keeping its own import.meta.url', () => {
    const first = run();
    const second = run();
    expect(first.status, first.stderr).toBe(0);
    expect(second.status, second.stderr).toBe(0);
    expect(first.report!.b).toBe(2);
    // Bundled JavaScript runs, in the cache; the second process runs the first one's bundle.
    expect(first.report!.at).toContain(cacheDir());
    expect(bundleDirOf(first.report!.at)).toBeDefined();
    expect(bundleDirOf(second.report!.at)).toBe(bundleDirOf(first.report!.at));
    // What the module takes for its own URL is its source, as under tsx.
    expect(first.report!.own).toBe(pathToFileURL(join(src, 'entry.ts')).href);
  });

  it('is bundled again once a source changed, and runs the change', () => {
    const first = run();
    writeFileSync(join(src, 'dep.ts'), 'export const b: number = 3;');
    const second = run();
    expect(second.status, second.stderr).toBe(0);
    expect(second.report!.b).toBe(3);
    expect(bundleDirOf(second.report!.at)).not.toBe(bundleDirOf(first.report!.at));
  });

  it('runs through tsx when the source cannot be bundled, which then says what is wrong', () => {
    writeFileSync(join(src, 'dep.ts'), 'export const b: number = ;');
    const r = run();
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('dep.ts');
    // Nothing half-made is kept.
    expect(existsSync(cacheDir()) ? readdirSync(cacheDir()).filter((n) => n.endsWith('.json')) : []).toEqual([]);
  });

  it('bundles into a directory of its own, removed at its exit, where others may write into the cache', () => {
    const first = run();
    expect(first.status, first.stderr).toBe(0);
    chmodSync(cacheDir(), 0o777);
    const r = run();
    expect(r.status, r.stderr).toBe(0);
    expect(r.report!.b).toBe(2);
    expect(r.report!.at).not.toContain(cacheDir());
    expect(r.report!.at).toContain(join(tmp, 'leerroutes-threads-'));
    expect(readdirSync(tmp).filter((n) => n.startsWith('leerroutes-threads-'))).toEqual([]);
  });
});
