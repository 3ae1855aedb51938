/**
 * A worker thread for a module that is TypeScript source (the engine runs
 * from source through tsx, and so do its tests). A worker thread of Node 20
 * does not load TypeScript even when the process has the tsx loader, and
 * loading the module graph through tsx's own API took 0.55-0.6 s per worker
 * on an idle machine and about 1 s beside a busy writer: time in which a
 * rebuild's writer or an import's reader waits for the worker. So the
 * modules are bundled first, once per process, with esbuild (which tsx
 * itself runs on): the workspace's TypeScript into a few files, with the
 * packages of plain JavaScript it uses (bundles.js), every other
 * package from node_modules left to Node at its resolved path. A worker
 * then starts in about 0.19 s, bundling included (0.07 s).
 *
 * The worker is started at once and waits, blocked on a shared flag, for the
 * bundle; if bundling fails it loads the modules through tsx as before.
 *
 * Bundles are kept between processes too (bundles.js): every import
 * and rebuild of the CLI is a new process, and esbuild took 170-300 ms of
 * each one's start, on the core the worker would otherwise have had.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { buildBundle, cachedBundle, keepBundle, newCacheDir, TSX_API } from './bundles.js';

export interface SourceWorkerOptions extends Omit<WorkerOptions, 'eval'> {
  /**
   * Further TypeScript modules (file URLs) the worker imports at run time (a
   * rebuild's source module): bundled with the entry. A string in
   * `workerData` (an object) equal to one of them is replaced there by the
   * bundled module's URL.
   */
  readonly modules?: readonly string[];
}

/** Flag values shared with a waiting worker. */
const WAITING = 0;
const BUNDLED = 1;

interface Bundle {
  /** WAITING until settled: BUNDLED, or anything else for a failure. */
  readonly flag: Int32Array;
  /** The bundled file URL of each source URL. */
  readonly urls: Readonly<Record<string, string>>;
}

/** One bundle per set of entries, for the life of the process (an import starts two workers of one entry). */
const bundles = new Map<string, Bundle>();
let outRoot: string | null = null;
/** Bundles made by this process, numbering their directories under outRoot. */
let bundled = 0;

/** A process's bundles live in `<tmpdir>/leerroutes-threads-<pid>-<random>`, removed when it exits. */
const OUT_PREFIX = 'leerroutes-threads-';

/**
 * The bundles of processes that did not exit but were killed (SIGKILL, or a
 * test runner ending its forks) are removed by the next process that bundles:
 * only those whose process is gone, as another may still start workers.
 */
function sweepDead(): void {
  const dir = tmpdir();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = name.startsWith(OUT_PREFIX) ? Number(/^(\d+)-/.exec(name.slice(OUT_PREFIX.length))?.[1] ?? NaN) : NaN;
    if (!Number.isInteger(pid) || pid === process.pid || alive(pid)) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, as another user's.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function bundleOf(sources: readonly string[]): Bundle {
  const key = sources.join('\n');
  const known = bundles.get(key);
  // A long-running process (a server) may find its bundle cleaned out of the temporary directory: it bundles again.
  if (known && (Atomics.load(known.flag, 0) !== BUNDLED || Object.values(known.urls).every((u) => existsSync(fileURLToPath(u))))) return known;
  sweepDead();
  const cached = cachedBundle(sources);
  if (cached) {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    flag[0] = BUNDLED;
    const bundle: Bundle = { flag, urls: entriesIn(cached, sources) };
    bundles.set(key, bundle);
    return bundle;
  }
  // Into a directory of the shared cache where it can have one; else into this process's own, removed at its exit.
  const outdir = newCacheDir(sources) ?? join(processOutRoot(), String(++bundled));
  const flag = new Int32Array(new SharedArrayBuffer(4));
  // Where each entry will be is known before it is written: a worker is told at once, and waits for the flag.
  const bundle: Bundle = { flag, urls: entriesIn(outdir, sources) };
  bundles.set(key, bundle);
  const settle = (value: number) => {
    Atomics.store(flag, 0, value);
    Atomics.notify(flag, 0);
  };
  const cwd = process.cwd();
  buildBundle(sources, outdir, { splitting: true, ownUrls: false, cwd }).then((metafile) => {
    settle(BUNDLED);
    keepBundle(sources, outdir, metafile, cwd);
  }, () => settle(BUNDLED + 1));
  return bundle;
}

/** The bundled file URL of each source, as esbuild names the entries in `dir`. */
const entriesIn = (dir: string, sources: readonly string[]): Record<string, string> =>
  Object.fromEntries(sources.map((s, i) => [s, pathToFileURL(join(dir, `entry-${i}.mjs`)).href]));

function processOutRoot(): string {
  if (outRoot === null || !existsSync(outRoot)) {
    outRoot = mkdtempSync(join(tmpdir(), `${OUT_PREFIX}${process.pid}-`));
    const root = outRoot;
    process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  }
  return outRoot;
}

/**
 * The worker's first code: wait for the bundle, then import the bundled
 * entry with the bundled modules' URLs in its workerData, or else import the
 * entry through tsx, telling it where tsx's API is (`workerData.tsxApi`) for
 * the TypeScript modules it imports itself.
 */
const BOOT = `
const { workerData } = await import('node:worker_threads');
const boot = workerData.__boot;
Atomics.wait(boot.flag, 0, ${WAITING});
if (Atomics.load(boot.flag, 0) === ${BUNDLED}) {
  for (const [k, v] of Object.entries(workerData)) if (typeof v === 'string' && boot.urls[v]) workerData[k] = boot.urls[v];
  await import(boot.urls[boot.entry]);
} else {
  workerData.tsxApi = boot.tsxApi;
  const { tsImport } = await import(boot.tsxApi);
  await tsImport(boot.entry, boot.entry);
}
`;

/** Start a worker on `entry` (a TypeScript module's file URL), bundled (see above). */
export function sourceWorker(entry: string, options: SourceWorkerOptions = {}): Worker {
  const { modules = [], workerData, ...rest } = options;
  const bundle = bundleOf([entry, ...modules.filter((m) => m.endsWith('.ts'))]);
  const data = (workerData ?? {}) as Record<string, unknown>;
  return new Worker(BOOT, { ...rest, eval: true, workerData: { ...data, __boot: { flag: bundle.flag, urls: bundle.urls, entry, tsxApi: TSX_API } } });
}
