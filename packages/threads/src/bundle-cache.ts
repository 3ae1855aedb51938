/**
 * Worker bundles kept between processes, in `<tmpdir>/leerroutes-bundles`.
 * A bundle is used again only while every file it was made from is as it
 * was: each bundled source, and every package.json and tsconfig.json from
 * their directories up (what esbuild resolves imports and settings by),
 * compared by content, not by time, and every package it left to Node still
 * where it was. Hashing those files takes milliseconds where esbuild took
 * 170-300 ms. A bundle that cannot be checked is not used; a cache that
 * cannot be written is not kept (the process then bundles for itself).
 *
 * Each set of entries has a pointer, `<key>.json`, naming its newest
 * bundle's directory, the files it was made from and the files it is made
 * of (a temporary directory is cleaned by age, file by file: a bundle with a
 * chunk gone or cut short would fail every worker that loads it, process
 * after process, so it is checked as its sources are). Bundles are written
 * into fresh directories and the pointer replaced whole, so two processes
 * bundling at once never write into each other's files; a bundle no pointer
 * names is removed an hour later (a process may still start workers on it).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { Metafile } from 'esbuild';

const require = createRequire(import.meta.url);
const ESBUILD_VERSION = (require('esbuild/package.json') as { version: string }).version;
/** Raised when what a pointer records, or how bundles are made, changes. */
const FORMAT = 4;
const STALE_MS = 60 * 60 * 1000;

const root = (): string => join(tmpdir(), 'leerroutes-bundles');

/**
 * Code is run from the cache, so it must be this user's alone: a directory
 * another user could write into (the temporary directory is shared) is not used.
 */
function ownRoot(): boolean {
  try {
    const s = statSync(root());
    return s.isDirectory() && (process.getuid === undefined || s.uid === process.getuid()) && (s.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

interface Pointer {
  /** The bundle's directory, under the cache's root. */
  readonly dir: string;
  /** Each file the bundle was made from, and the SHA-1 of its content. */
  readonly files: readonly (readonly [string, string])[];
  /** Files of packages the bundle imports at their resolved paths. */
  readonly externals: readonly string[];
  /** Each file of the bundle, by name in its directory, and the SHA-1 of its content. */
  readonly outputs: readonly (readonly [string, string])[];
}

/** One key per set of entries and the tools that bundle them. */
const keyOf = (sources: readonly string[]): string =>
  createHash('sha1').update(JSON.stringify([FORMAT, sources, process.version, ESBUILD_VERSION])).digest('hex').slice(0, 20);

function digestOf(path: string): string | null {
  try {
    return createHash('sha1').update(readFileSync(path)).digest('hex');
  } catch {
    return null;
  }
}

/** The directory of a bundle of `sources` made from the files as they are now, or null. */
export function cachedBundle(sources: readonly string[]): string | null {
  if (!ownRoot()) return null;
  let pointer: Pointer;
  try {
    pointer = JSON.parse(readFileSync(join(root(), `${keyOf(sources)}.json`), 'utf8')) as Pointer;
  } catch {
    return null;
  }
  const dir = join(root(), basename(String(pointer.dir)));
  if (!Array.isArray(pointer.files) || !Array.isArray(pointer.externals) || !Array.isArray(pointer.outputs)) return null;
  if (!sources.every((_, i) => existsSync(join(dir, `entry-${i}.mjs`)))) return null;
  if (!pointer.externals.every((p) => existsSync(p))) return null;
  if (!pointer.outputs.every(([name, digest]) => digestOf(join(dir, basename(String(name)))) === digest)) return null;
  return pointer.files.every(([path, digest]) => digestOf(path) === digest) ? dir : null;
}

/** A fresh directory in the cache to bundle `sources` into, or null when the cache cannot be written. */
export function newCacheDir(sources: readonly string[]): string | null {
  try {
    mkdirSync(root(), { recursive: true, mode: 0o700 });
    if (!ownRoot()) return null;
    return mkdtempSync(join(root(), `${keyOf(sources)}-`));
  } catch {
    return null;
  }
}

/**
 * Record a bundle made in `outdir` (from newCacheDir) as the one for
 * `sources`, from its metafile (input paths are relative to `cwd`, the
 * directory esbuild ran in). Never throws: a cache it cannot keep is a cost,
 * not a failure.
 */
export function keepBundle(sources: readonly string[], outdir: string, metafile: Metafile, cwd: string): void {
  if (dirname(outdir) !== root()) return;
  try {
    const inputs = Object.keys(metafile.inputs).map((p) => resolve(cwd, p));
    const files = new Set(inputs);
    for (const dir of new Set(inputs.map(dirname))) {
      for (let d = dir; ; d = dirname(d)) {
        for (const name of ['package.json', 'tsconfig.json']) if (existsSync(join(d, name))) files.add(join(d, name));
        if (dirname(d) === d) break;
      }
    }
    const externals = new Set<string>();
    for (const output of Object.values(metafile.outputs)) {
      for (const i of output.imports) if (i.external && isAbsolute(i.path)) externals.add(i.path);
    }
    const record: Pointer = {
      dir: basename(outdir),
      files: [...files].map((f) => [f, digestOf(f) ?? ''] as const),
      externals: [...externals],
      outputs: readdirSync(outdir).map((name) => [name, digestOf(join(outdir, name)) ?? ''] as const),
    };
    const key = keyOf(sources);
    const at = join(root(), `${key}.json`);
    const temporary = `${at}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(record));
    renameSync(temporary, at);
    sweepStale(key, basename(outdir));
  } catch {
    // Not kept: the next process bundles again.
  }
}

/** Bundles of this key that no pointer names, once they are an hour old. */
function sweepStale(key: string, current: string): void {
  const now = Date.now();
  for (const name of readdirSync(root())) {
    if (!name.startsWith(`${key}-`) || name === current) continue;
    const path = join(root(), name);
    try {
      if (now - statSync(path).mtimeMs > STALE_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // Removed by another process meanwhile.
    }
  }
}
