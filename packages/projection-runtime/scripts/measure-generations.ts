/**
 * What a writer session and a reader pay for generations, at a given size:
 * copying the published generation, opening the copy for writing, publishing
 * (CHECKPOINT, close, fsync, CURRENT), and a reader opening the new
 * generation and answering a first query. The views are a synthetic table
 * of roughly --mib MiB: narrow typed columns plus a text column that does
 * not compress (as the pathways' JSON hardly does).
 *
 *   pnpm tsx packages/projection-runtime/scripts/measure-generations.ts [--mib 500] [--dir DIR]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDuckDbViews, readCurrent } from '../src/index.js';

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : undefined; };
const mib = Number(flag('mib') ?? 500);
const dir = flag('dir') ?? mkdtempSync(join(tmpdir(), 'measure-generations-'));
const ms = (t0: number) => Math.round(performance.now() - t0);

const views = await openDuckDbViews(join(dir, 'views'));
// About 39 bytes a row on disk (the 64-character text dominates; hex compresses by about half): aim for the size asked.
const rows = Math.round((mib * 2 ** 20) / 39);
let t0 = performance.now();
const first = await views.writeSession({ from: 'empty' });
await first.transaction(({ db }) => sql`create table facts as select i as learner, (i * 7919) % 1000003 as cohort, 'level-' || (i % 13) as level, (i % 97)::integer as grade, md5(i::varchar) || md5((i + 1)::varchar) as text from range(${rows}) t(i)`.execute(db));
await first.publish();
const path = () => join(dir, 'views', readCurrent(join(dir, 'views'))!);
const size = statSync(path()).size;
const made = ms(t0);

// A session that changes one row: what it costs besides the writing itself.
t0 = performance.now();
const session = await views.writeSession();
const start = ms(t0);
t0 = performance.now();
await session.transaction(({ db }) => sql`update facts set grade = grade + 1 where learner = 1`.execute(db));
const write = ms(t0);
t0 = performance.now();
await session.publish();
const publish = ms(t0);

// Another process's reader opening the new generation: a fresh store here.
const reader = await openDuckDbViews(join(dir, 'views'));
t0 = performance.now();
const { rows: answer } = await sql<{ n: number }>`select count(*) as n from facts where grade = 3`.execute(reader.reader.db);
const open = ms(t0);
t0 = performance.now();
await sql`select count(*) as n from facts where grade = 4`.execute(reader.reader.db);
const again = ms(t0);
await reader.close();
await views.close();

process.stdout.write(`${JSON.stringify({
  generationMiB: Math.round(size / 2 ** 20), rows, makeFirstMs: made,
  sessionStartMs: start, sessionStartNote: 'lock, sweep, copy of the published generation, open read-write',
  oneRowWriteMs: write, publishMs: publish, publishNote: 'CHECKPOINT, close, fsync, CURRENT by rename, sweep',
  readerOpenAndFirstQueryMs: open, readerNextQueryMs: again, answer: answer[0]!.n,
}, null, 2)}\n`);
if (!flag('dir')) rmSync(dir, { recursive: true, force: true });
