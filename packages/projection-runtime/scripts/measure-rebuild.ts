/**
 * Rebuild speed against its floor. Appends synthetic learner events (or uses
 * an existing log), then in one run measures
 *   1. the floor: a bare scan of the log (read + JSON.parse of every event),
 *   2. a full rebuild of every registered projection into a fresh views generation,
 * and prints events/s of both, their ratio, where the rebuild's time went
 * and the peak RSS. Generation runs in a child process so it does not count.
 *
 *   pnpm tsx packages/projection-runtime/scripts/measure-rebuild.ts [--events 1500000] [--yearly] [--db PATH] [--batch-size 5000]
 *
 * --yearly appends one delivery per school year (streams interleave in the
 * log, so most batches re-read learners' streams); the default appends each
 * learner's whole history at once, as a first import of all years does.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StreamAppend } from '@leerroutes/event-store';
import { openSqliteEventStore } from '@leerroutes/event-store/sqlite';
import { TestLog, type BuiltEvent } from '@leerroutes/pathway/testing';
import { openDuckDbViews, readCurrent, rebuild, type Projection } from '../src/index.js';
// Relative on purpose: the registry depends on this package, not the other way round.
import { PROJECTIONS } from '../../../projections/registry/src/index.js';

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : undefined; };
const has = (name: string): boolean => argv.includes(`--${name}`);

// ---- generation (child process) ------------------------------------------------

const LEVELS = ['vmbo-b', 'vmbo-k', 'vmbo-t', 'havo', 'vwo'];
const ADVICE = ['vmbo-b', 'vmbo-k', 'vmbo-t', 'vmbo-t/havo', 'havo', 'havo/vwo', 'vwo'];

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => { a = (a + 0x6d2b79f5) >>> 0; let t = Math.imul(a ^ (a >>> 15), a | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

/** ~10 events per learner: registration, background, advice, six yearly rows, sometimes a switch, level change, diploma or leaving. */
function learnersChunk(first: number, count: number, rnd: () => number): BuiltEvent[][] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const log = new TestLog();
  const years: BuiltEvent[][] = Array.from({ length: 8 }, () => []);
  for (let i = first; i < first + count; i++) {
    const b = log.learner(`L${String(i).padStart(8, '0')}`);
    const start = 2010 + (i % 6);
    let mark = log.all.length;
    const cut = (y: number) => { years[y]!.push(...log.all.slice(mark)); mark = log.all.length; };
    b.registered(`${start - 12}-0${1 + (i % 9)}`, i % 2 ? 'f' : 'm');
    b.background(`${start}-08-01`, { pupilWeight: pick([0, 0.3, 1.2] as const), parentalEducation: pick(['low', 'middle', 'high'] as const), area: pick(['ZUID', 'NOORD', 'WEST']), areaParents: ['RDAM', 'NL'] });
    b.advice(`${start + 1}-02-01`, 'final', pick(ADVICE));
    cut(0);
    let level = pick(LEVELS);
    let grade = 1;
    for (let y = 1; y <= 6; y++) {
      const r = rnd();
      if (y > 1 && r < 0.03) { b.left(`${start + y}-10-01`); cut(y); break; }
      if (y > 1) { if (r < 0.12) level = pick(LEVELS); else if (r < 0.95) grade++; }
      b.row(`${start + y}-10-01`, { institution: rnd() < 0.08 ? `VO${i % 300}` : `VO${(i * 7) % 300}`, level, grade });
      if (y === 5 && rnd() < 0.4) b.diploma(`${start + y + 1}-06-30`, level, `VO${(i * 7) % 300}`);
      cut(y);
    }
  }
  return years.filter((y) => y.length > 0);
}

async function generate(path: string, events: number, yearly: boolean): Promise<void> {
  const store = openSqliteEventStore({ path });
  const rnd = rng(42);
  const stamp = (e: BuiltEvent, chunk: number) => ({
    eventId: `c${chunk}-${e.eventId}`, type: e.type, schemaVersion: e.schemaVersion, data: e.data, occurredOn: e.occurredOn,
    knownAt: '2020-01-01T00:00:00.000Z', metadata: { key: `k${chunk}${e.eventId}`.padEnd(27, 'x'), delivery: 1 },
  });
  const append = async (list: BuiltEvent[], chunk: number) => {
    const byStream = new Map<string, BuiltEvent[]>();
    for (const e of list) (byStream.get(e.stream) ?? byStream.set(e.stream, []).get(e.stream)!).push(e);
    const appends: StreamAppend[] = [...byStream].map(([stream, es]) => ({ stream, expectedRevision: 'any', events: es.map((e) => stamp(e, chunk)) }));
    const r = await store.appendToStreams(appends);
    if (r._tag === 'Left') throw new Error(JSON.stringify(r.left));
  };
  const ref = new TestLog();
  for (const a of ['NL', 'RDAM', 'ZUID', 'NOORD', 'WEST']) ref.area(a, a === 'NL' ? null : a === 'RDAM' ? 'NL' : 'RDAM');
  for (let i = 0; i < 300; i++) ref.institution(`VO${i}`, `B${i % 40}`);
  await append(ref.all, 0);
  // Yearly mode holds every chunk's year-slices until the end, so it uses bigger chunks of learners in fewer rounds.
  const perChunk = 2_000;
  const pending: BuiltEvent[][][] = [];
  let written = ref.all.length;
  for (let chunk = 1, learner = 0; written < events; chunk++, learner += perChunk) {
    const years = learnersChunk(learner, perChunk, rnd);
    if (yearly) { pending.push(years); written += years.reduce((n, y) => n + y.length, 0); if (pending.length * perChunk >= 50_000 || written >= events) { for (let y = 0; y < 8; y++) for (const [k, c] of pending.entries()) if (c[y]) await append(c[y]!, chunk * 100 + k); pending.length = 0; } }
    else { const all = years.flat(); await append(all, chunk); written += all.length; }
    if (chunk % 20 === 0) process.stderr.write(`generated ${written} events\n`);
  }
  await store.close();
}

if (has('generate-into')) {
  await generate(flag('generate-into')!, Number(flag('events') ?? 1_500_000), has('yearly'));
  process.exit(0);
}

// ---- measurement ------------------------------------------------------------------

let dbPath = flag('db');
const dir = mkdtempSync(join(tmpdir(), 'measure-rebuild-'));
if (!dbPath) {
  dbPath = join(dir, 'log.sqlite');
  const t0 = performance.now();
  const gen = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--generate-into', dbPath, '--events', flag('events') ?? '1500000', ...(has('yearly') ? ['--yearly'] : [])], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (gen.status !== 0) throw new Error('generation failed');
  process.stderr.write(`generated in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}
const batchSize = Number(flag('batch-size') ?? 5000);
const store = openSqliteEventStore({ path: dbPath });
const head = await store.headPosition();

async function floor(): Promise<{ events: number; seconds: number }> {
  const t0 = performance.now();
  let events = 0;
  for await (const batch of store.readAll({ batchSize })) events += batch.length;
  return { events, seconds: (performance.now() - t0) / 1000 };
}

// Time inside each projection's apply, to say where a rebuild spends its time.
const spent = new Map<string, number>();
const timed = (name: string, p: Projection): Projection => ({
  ...p,
  async apply(batch, ctx) { const t = performance.now(); await p.apply(batch, ctx); spent.set(name, (spent.get(name) ?? 0) + performance.now() - t); },
});
const projections = PROJECTIONS.map((p) => timed(p.name, p));

await floor(); // warm the page cache so neither side pays for the first read from disk
const scan = await floor();
const viewsDir = join(dir, 'views');
const views = await openDuckDbViews(viewsDir);
const t0 = performance.now();
const run = await rebuild({ store, views, projections, batchSize });
const rebuildSeconds = (performance.now() - t0) / 1000;
await views.close();
await store.close();

const rate = (n: number, s: number) => Math.round(n / s);
const report = {
  log: dbPath,
  logMiB: Math.round(statSync(dbPath).size / 2 ** 20),
  events: head,
  batchSize,
  scan: { seconds: +scan.seconds.toFixed(2), eventsPerSecond: rate(scan.events, scan.seconds) },
  rebuild: { seconds: +rebuildSeconds.toFixed(2), eventsPerSecond: rate(run.events, rebuildSeconds) },
  ratio: +(rebuildSeconds / scan.seconds).toFixed(2),
  applySeconds: Object.fromEntries([...spent].map(([k, v]) => [k, +(v / 1000).toFixed(2)])),
  viewsMiB: Math.round(statSync(join(viewsDir, readCurrent(viewsDir)!)).size / 2 ** 20),
  peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
};
process.stdout.write(JSON.stringify(report, null, 2) + '\n');
if (!flag('db')) rmSync(dir, { recursive: true, force: true });
