/**
 * Bundles of the workspace's TypeScript: how they are made (esbuild) and how
 * they are kept between processes, in `<tmpdir>/leerroutes-bundles`.
 *
 * Plain JavaScript, typed by bundles.d.ts: the CLI's launcher
 * (services/cli/bin/pathways.js) runs it before anything can load
 * TypeScript, to start the CLI from a bundle instead of through tsx's
 * loader (see importBundled). Worker threads use it too (source-worker.ts).
 *
 * A bundle is used again only while every file it was made from is as it
 * was: each bundled source, and every package.json and tsconfig.json from
 * their directories up (what esbuild resolves imports and settings by),
 * compared by content, not by time, and every package it left to Node still
 * where it was. Hashing those files takes milliseconds where esbuild took
 * 170-300 ms for a worker and about 0.8 s for the CLI. A bundle that cannot
 * be checked is not used; a cache that cannot be written is not kept (the
 * process then bundles for itself).
 *
 * Each set of entries has a pointer, `<key>.json`, naming its newest
 * bundle's directory, the files it was made from and the files it is made
 * of (a temporary directory is cleaned by age, file by file: a bundle with a
 * chunk gone or cut short would fail every process that loads it, so it is
 * checked as its sources are). Bundles are written into fresh directories
 * and the pointer replaced whole, so two processes bundling at once never
 * write into each other's files; a bundle no pointer names is removed an
 * hour later (a process may still start workers on it).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const ESBUILD_VERSION = /** @type {{ version: string }} */ (require('esbuild/package.json')).version;
/** Raised when what a pointer records, or how bundles are made, changes. */
const FORMAT = 4;
const STALE_MS = 60 * 60 * 1000;

const root = () => join(tmpdir(), 'leerroutes-bundles');

/**
 * Code is run from the cache, so it must be this user's alone: a directory
 * another user could write into (the temporary directory is shared) is not used.
 */
function ownRoot() {
  try {
    const s = statSync(root());
    return s.isDirectory() && (process.getuid === undefined || s.uid === process.getuid()) && (s.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/**
 * A pointer: `dir`, the bundle's directory under the cache's root; `files`,
 * each file the bundle was made from and the SHA-1 of its content;
 * `externals`, files of packages the bundle imports at their resolved paths;
 * `outputs`, each file of the bundle by name in its directory, and its SHA-1.
 * @typedef {{ dir: string, files: [string, string][], externals: string[], outputs: [string, string][] }} Pointer
 */

/** One key per set of entries and the tools that bundle them. @param {readonly string[]} sources */
const keyOf = (sources) =>
  createHash('sha1').update(JSON.stringify([FORMAT, sources, process.version, ESBUILD_VERSION])).digest('hex').slice(0, 20);

/** @param {string} path @returns {string | null} */
function digestOf(path) {
  try {
    return createHash('sha1').update(readFileSync(path)).digest('hex');
  } catch {
    return null;
  }
}

/** The directory of a bundle of `sources` made from the files as they are now, or null. @param {readonly string[]} sources */
export function cachedBundle(sources) {
  if (!ownRoot()) return null;
  /** @type {Pointer} */
  let pointer;
  try {
    pointer = JSON.parse(readFileSync(join(root(), `${keyOf(sources)}.json`), 'utf8'));
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

/** A fresh directory in the cache to bundle `sources` into, or null when the cache cannot be written. @param {readonly string[]} sources */
export function newCacheDir(sources) {
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
 * @param {readonly string[]} sources @param {string} outdir @param {import('esbuild').Metafile} metafile @param {string} cwd
 */
export function keepBundle(sources, outdir, metafile, cwd) {
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
    const externals = new Set();
    for (const output of Object.values(metafile.outputs)) {
      for (const i of output.imports) if (i.external && isAbsolute(i.path)) externals.add(i.path);
    }
    /** @type {Pointer} */
    const record = {
      dir: basename(outdir),
      files: [...files].map((f) => [f, digestOf(f) ?? '']),
      externals: [...externals],
      outputs: readdirSync(outdir).map((name) => [name, digestOf(join(outdir, name)) ?? '']),
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

/** Bundles of this key that no pointer names, once they are an hour old. @param {string} key @param {string} current */
function sweepStale(key, current) {
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

// ---------------------------------------------------------------- making a bundle

const BUILTINS = new Set(builtinModules);

/**
 * Packages of plain JavaScript that are bundled too. Loaded by Node they are
 * hundreds of small modules each (kysely alone took 153 ms to import on an
 * idle machine, zod 67 ms), loaded again by every worker; in the bundle
 * they are parsed once, as part of a few files. A 110k rebuild's worker had
 * its source module imported 150-200 ms sooner (idle machine, small log:
 * 37-80 against 182-222 ms), and its first span 100-150 ms sooner. Native
 * addons (better-sqlite3, DuckDB) and pg stay Node's.
 */
const BUNDLED_PACKAGES = ['kysely', 'zod', 'fp-ts'];

/** @param {string} path */
const bundledPackage = (path) => BUNDLED_PACKAGES.some((name) => path === name || path.startsWith(`${name}/`));

/**
 * fp-ts's `lib/` modules, which the sources import, are CommonJS; `es6/`
 * holds the same modules as ES modules. Bundled as CommonJS, every use of an
 * export (`E.right`, `E.isLeft`) went through esbuild's interop getter, one
 * function shared by all exports and so never inlined: 0.6 s of each import
 * worker's 110k import.
 * @param {string} path
 */
const esmOf = (path) => (path.startsWith('fp-ts/lib/') ? `fp-ts/es6/${path.slice('fp-ts/lib/'.length)}` : path);

/**
 * CommonJS packages that stay outside the bundle but are loaded with
 * `require` rather than `import`. Imported, Node first lexes each of the
 * package's files for its export names (DuckDB's API: 40 files re-exported
 * from its index): 204-224 ms against 106-120 ms by require, measured on
 * its own. The bundle imports a module that requires the package and
 * exports the names it had when the bundle was made.
 */
const REQUIRED_PACKAGES = ['@duckdb/node-api'];

/** @param {string} path */
const requiredPackage = (path) => REQUIRED_PACKAGES.includes(path);

const BY_REQUIRE = 'by-require';

/**
 * An ES module that loads the CommonJS module at `path` with require and
 * exports its names (read now, by requiring it in this process).
 * @param {string} path
 */
function requiringModule(path) {
  const names = Object.keys(require(path)).filter((n) => n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n));
  return [
    "import { createRequire } from 'node:module';",
    `const m = createRequire(${JSON.stringify(path)})(${JSON.stringify(path)});`,
    'export default m;',
    `export const { ${names.join(', ')} } = m;`,
  ].join('\n');
}

/**
 * Workspace modules are bundled (and BUNDLED_PACKAGES); anything else from
 * node_modules stays Node's to load, at the path it resolves to (imported,
 * or REQUIRED_PACKAGES required).
 * @type {import('esbuild').Plugin}
 */
const nodeModulesExternal = {
  name: 'node-modules-external',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === 'resolving' || args.path.startsWith('@leerroutes/')) return undefined;
      if (args.path.startsWith('node:') || BUILTINS.has(args.path)) return { path: args.path, external: true };
      const resolved = await build.resolve(esmOf(args.path), { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'resolving' });
      if (resolved.errors.length > 0) return undefined;
      if (requiredPackage(args.path)) return { path: resolved.path, pluginData: BY_REQUIRE };
      return bundledPackage(args.path) ? { path: resolved.path } : { path: resolved.path, external: true };
    });
    build.onLoad({ filter: /\.c?js$/ }, (args) => (args.pluginData === BY_REQUIRE ? { contents: requiringModule(args.path), loader: 'js', resolveDir: dirname(args.path) } : undefined));
  },
};

/**
 * The expression as a module's text holds it. A pattern rather than a
 * string, so that this module, bundled too, holds no text the plugin would
 * replace but in comments.
 */
const IMPORT_META_URL = /\bimport\.meta\.url\b/g;

/**
 * For a process's own program (importBundled): each workspace module
 * (TypeScript, or JavaScript as this one) keeps its own `import.meta.url` in
 * the bundle, as under tsx, so that the modules that find a file beside them
 * by it (a worker's entry, the dashboard's assets) or resolve packages from
 * where they are (createRequire) do the same from the bundle as from source.
 * A TypeScript module's own URL ends in `.ts`, which is also how the engine
 * tells that it runs from source and starts its workers through
 * sourceWorker. A worker's bundle keeps esbuild's URLs (of the bundle's
 * files): what a worker finds beside itself, it finds there.
 * @type {import('esbuild').Plugin}
 */
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.[cm]?[jt]s$/ }, async (args) => {
      if (args.path.split(sep).includes('node_modules')) return undefined;
      const text = await readFile(args.path, 'utf8');
      if (text.search(IMPORT_META_URL) < 0) return undefined;
      return { contents: text.replace(IMPORT_META_URL, JSON.stringify(pathToFileURL(args.path).href)), loader: /\.[cm]?ts$/.test(args.path) ? 'ts' : 'js' };
    });
  },
};

/**
 * Bundle `sources` (file URLs of TypeScript modules) into `outdir` as
 * `entry-<i>.mjs` and, with `splitting`, chunks they share; with
 * `ownUrls`, each module keeps its own `import.meta.url` (ownImportMetaUrl).
 * Resolves to esbuild's metafile (for keepBundle).
 * @param {readonly string[]} sources @param {string} outdir @param {{ splitting: boolean, ownUrls: boolean, cwd: string }} options
 */
export async function buildBundle(sources, outdir, { splitting, ownUrls, cwd }) {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    absWorkingDir: cwd,
    entryPoints: Object.fromEntries(sources.map((s, i) => [`entry-${i}`, fileURLToPath(s)])),
    outdir, bundle: true, splitting, format: 'esm', platform: 'node', target: 'node20',
    outExtension: { '.js': '.mjs' }, logLevel: 'silent', plugins: ownUrls ? [nodeModulesExternal, ownImportMetaUrl] : [nodeModulesExternal], metafile: true,
  });
  return result.metafile;
}

// ---------------------------------------------------------------- a process's own entry

/** tsx's ESM API (`register`, `tsImport`), resolved from this package. */
export const TSX_API = pathToFileURL(require.resolve('tsx/package.json').replace(/package\.json$/, 'dist/esm/api/index.mjs')).href;

/**
 * Import `entry` (a TypeScript module's file URL) as this process's program:
 * from its kept bundle, or from one made now and kept for the next process,
 * or, should bundling fail, through tsx as before, which then reports what
 * is wrong with the source.
 *
 * Run through tsx's loader, every module of the CLI went through its hooks
 * in a thread of their own: 1.75 s of a `pathways report` whose query took
 * 0.1 s. From the bundle the same command took 0.6 s. The bundle is split
 * where the program imports a module only when it needs it (a command's
 * own modules, PostgreSQL's client): as one file, every package the program
 * could use was loaded at its start, 0.5 s more for `pathways --help`. Those
 * chunks are read when first imported, perhaps long after the start (a
 * server's rebuild), so the process keeps its bundle's directory fresh for
 * as long as it runs: the cache removes only directories an hour old.
 * @param {string} entry
 * @returns {Promise<unknown>}
 */
export async function importBundled(entry) {
  const sources = [entry];
  let dir = cachedBundle(sources);
  if (dir === null) {
    const cacheDir = newCacheDir(sources);
    const outdir = cacheDir ?? ownDir();
    try {
      const metafile = await buildBundle(sources, outdir, { splitting: true, ownUrls: true, cwd: process.cwd() });
      if (cacheDir !== null) keepBundle(sources, outdir, metafile, process.cwd());
      dir = outdir;
    } catch {
      rmSync(outdir, { recursive: true, force: true });
    }
  }
  if (dir !== null) {
    keepFresh(dir);
    return import(pathToFileURL(join(dir, 'entry-0.mjs')).href);
  }
  const { register } = /** @type {{ register: () => unknown }} */ (await import(TSX_API));
  register();
  return import(entry);
}

const FRESH_EVERY_MS = 10 * 60 * 1000;

/** Touch `dir` now and every ten minutes while the process runs (without keeping it running). @param {string} dir */
function keepFresh(dir) {
  const touch = () => {
    try {
      const now = new Date();
      utimesSync(dir, now, now);
    } catch {
      // Gone or not ours: nothing to keep.
    }
  };
  touch();
  setInterval(touch, FRESH_EVERY_MS).unref();
}

/**
 * A directory of this process's own, removed when it exits (the cache could
 * not be written); named as source-worker.ts names its own, so that the next
 * process that bundles removes it should this one be killed.
 */
function ownDir() {
  const dir = mkdtempSync(join(tmpdir(), `leerroutes-threads-${process.pid}-`));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
