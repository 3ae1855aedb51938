/**
 * The views directory as a sequence of generations: immutable published
 * files `gen-000001.duckdb`, `gen-000002.duckdb`, ... and a `CURRENT` file
 * naming the one readers use. Only a writer holding the lock (writer-lock.ts)
 * calls the functions that change the directory.
 *
 *   CURRENT              "gen-000007.duckdb"
 *   gen-000007.duckdb    published, never written again
 *   gen-000008.duckdb    a writer session's work; published or swept away
 *   writer.lock          who writes (writer-lock.ts)
 *
 * A process killed at any instant leaves CURRENT naming a complete file:
 * CURRENT changes by an atomic rename, after the new file is on disk.
 */
import { closeSync, constants, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ViewsDamagedError } from './views-damage.js';

const CURRENT = 'CURRENT';
const GENERATION = /^gen-(\d{6,})\.duckdb$/;

export const generationName = (n: number): string => `gen-${String(n).padStart(6, '0')}.duckdb`;
const numberOf = (name: string): number | null => {
  const m = GENERATION.exec(name);
  return m ? Number(m[1]) : null;
};

/** Creates the directory; refuses a file where the directory should be (the views were once a single SQLite file). */
export function ensureViewsDir(dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    // The code tells the CLI this is the user's to fix (engine/failure.ts), without loading this module.
    throw Object.assign(new Error(`${dir} is a file, not a views directory: the views are a directory of DuckDB generations (pass --views DIR, or remove the file)`), { code: 'VIEWS_NOT_A_DIRECTORY' });
  }
  mkdirSync(dir, { recursive: true });
}

/** The published generation's file name, or null when nothing was published yet. */
export function readCurrent(dir: string): string | null {
  let text: string;
  try {
    text = readFileSync(join(dir, CURRENT), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const name = text.trim();
  if (numberOf(name) === null) throw new ViewsDamagedError(dir, `${CURRENT} names no generation ('${name.slice(0, 40)}')`);
  return name;
}

/** As readCurrent, but damaged views count as none published: for a writer that does not read them (a full rebuild) or only compares names. */
export function readCurrentIfReadable(dir: string): string | null {
  try {
    return readCurrent(dir);
  } catch (err) {
    if (err instanceof ViewsDamagedError) return null;
    throw err;
  }
}

/**
 * The name for a new generation: after every file in the directory, published
 * or left behind, and after the one CURRENT names even when its file is gone
 * (a new file of that name would pass for the published one).
 */
export function nextGeneration(dir: string): string {
  const current = readCurrentIfReadable(dir);
  let max = current === null ? 0 : numberOf(current)!;
  for (const name of readdirSync(dir)) max = Math.max(max, numberOf(name.replace(/\.wal$/, '')) ?? 0);
  return generationName(max + 1);
}

function fsyncPath(path: string, flags: string): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Copies the published generation to start a session from (a reflink where the file system has them, else a copy in the kernel). */
export function copyGeneration(dir: string, from: string, to: string): void {
  copyFileSync(join(dir, from), join(dir, to), constants.COPYFILE_FICLONE | constants.COPYFILE_EXCL);
}

/**
 * Make `name` the published generation. The file must be complete and
 * closed: it is synced, then CURRENT is replaced by rename (atomic), then
 * the directory entry is synced. Older generations are swept afterwards.
 */
export function publishGeneration(dir: string, name: string): void {
  const path = join(dir, name);
  if (existsSync(`${path}.wal`)) throw new Error(`${path} still has a write-ahead log: not published`);
  fsyncPath(path, 'r+');
  const temp = join(dir, `${CURRENT}.${process.pid}.tmp`);
  const fd = openSync(temp, 'w');
  try {
    writeSync(fd, `${name}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, join(dir, CURRENT));
  fsyncPath(dir, 'r');
  sweepGenerations(dir);
}

/**
 * Deletes every generation but the published one: superseded generations
 * (readers that still have one open keep reading it: POSIX keeps an unlinked
 * file until its last close), and the unpublished work of sessions that
 * died. Only the lock holder may call this, or it would delete a live
 * session's file.
 */
export function sweepGenerations(dir: string, current: string | null = readCurrent(dir)): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    // A generation's write-ahead log, and the directory DuckDB spills to (`<file>.tmp`), go with it: a session
    // killed in a large sort or join leaves that directory behind (17 MB at 110k, killed while publishing).
    const base = name.replace(/\.(wal|tmp)$/, '');
    const stale = (numberOf(base) !== null && base !== current) || /^CURRENT\.\d+\.tmp$/.test(name);
    if (!stale) continue;
    rmSync(join(dir, name), { force: true, recursive: true });
    removed.push(name);
  }
  return removed;
}

/** Removes a session's unpublished file (and its write-ahead log). */
export function discardGeneration(dir: string, name: string): void {
  if (name === readCurrentIfReadable(dir)) throw new Error(`refusing to discard the published generation ${name}`);
  rmSync(join(dir, name), { force: true });
  rmSync(join(dir, `${name}.wal`), { force: true });
  rmSync(join(dir, `${name}.tmp`), { force: true, recursive: true });
}

/** Generation files present, for tests and status displays. */
export function listGenerations(dir: string): string[] {
  return readdirSync(dir).filter((n) => numberOf(n) !== null).sort();
}
