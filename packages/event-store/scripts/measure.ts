/**
 * Throughput of the embedded store on a file database:
 *   pnpm tsx packages/event-store/scripts/measure.ts [--events 1000000] [--batch 10000] [--streams-per-batch 1000] [--path <file>]
 * Appends in appendToStreams calls of `batch` events spread over
 * `streams-per-batch` learner streams (each stream is written several times,
 * with its exact expected revision), then reads everything back with
 * readAll (JSON parsed). Prints events/s per phase, for the whole process,
 * and peak RSS.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { NewEvent, StreamAppend } from '../src/port.js';
import { openSqliteEventStore } from '../src/sqlite/index.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '10000' },
    'streams-per-batch': { type: 'string', default: '1000' },
    'read-batch': { type: 'string', default: '5000' },
    path: { type: 'string' },
  },
});
const total = Number(values.events);
const batchSize = Number(values.batch);
const streamsPerBatch = Number(values['streams-per-batch']);
const perStream = Math.max(1, Math.floor(batchSize / streamsPerBatch));
const batches = Math.ceil(total / batchSize);
// Each learner stream receives about five appends over the run, so both the new-stream and the existing-stream paths are exercised.
const learners = Math.max(streamsPerBatch, Math.floor(total / (perStream * 5)));

const dir = values.path ? undefined : mkdtempSync(join(tmpdir(), 'leerroutes-measure-'));
const path = values.path ?? join(dir!, 'events.db');
const processStart = performance.now();
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const loadBefore = load();
const store = openSqliteEventStore({ path });

const types = ['Placed', 'Promoted', 'LevelChanged', 'SchoolSwitched', 'Repeated', 'DiplomaAwarded'] as const;
function event(learner: number, n: number): NewEvent {
  const year = 2012 + (n % 10);
  return {
    eventId: randomUUID(),
    type: types[n % types.length]!,
    schemaVersion: 1,
    occurredOn: `${year}-10-01`,
    data: {
      learnerId: `L${learner.toString(36).padStart(8, '0')}`,
      schoolYear: `${year}-${year + 1}`,
      occurredOn: `${year}-10-01`,
      institution: `${(learner % 9000) + 1000}XY`,
      branch: '00',
      span: { from: 'havo', to: 'vwo' },
      grade: (n % 6) + 1,
      source: { system: 'import', file: `registrations-${year}.csv`, line: learner * 7 + n },
    },
  };
}

const revisions = new Map<string, number>();
let appendMs = 0;
let appendCpuMs = 0;
let appended = 0;
let nextLearner = 0;
for (let b = 0; b < batches; b++) {
  const appends: StreamAppend[] = [];
  for (let s = 0; s < streamsPerBatch && appended + appends.length * perStream < total; s++) {
    const learner = nextLearner++ % learners;
    const stream = `learner-${learner}`;
    const revision = revisions.get(stream);
    appends.push({
      stream,
      expectedRevision: revision ?? 'no_stream',
      events: Array.from({ length: perStream }, (_, i) => event(learner, (revision ?? -1) + 1 + i)),
    });
  }
  const t = performance.now();
  const c = cpuMs();
  const result = await store.appendToStreams(appends);
  appendCpuMs += cpuMs() - c;
  appendMs += performance.now() - t;
  if (result._tag === 'Left') throw new Error(`append failed: ${JSON.stringify(result.left)}`);
  for (const r of result.right) {
    revisions.set(r.stream, r.revision as number);
    appended += r.appended;
  }
}
const appendPhaseMs = performance.now() - processStart;

const readStart = performance.now();
const readCpuStart = cpuMs();
let read = 0;
let checksum = 0;
for await (const batch of store.readAll({ batchSize: Number(values['read-batch']) })) {
  read += batch.length;
  checksum += (batch[batch.length - 1]!.data as { grade: number }).grade;
}
const readMs = performance.now() - readStart;
const readCpuMs = cpuMs() - readCpuStart;
const stats = await store.stats();
await store.close();
const totalMs = performance.now() - processStart;
const dbBytes = statSync(path).size;
if (dir) rmSync(dir, { recursive: true, force: true });

const rate = (n: number, ms: number) => Math.round((n / ms) * 1000).toLocaleString('en-US');
const payloadBytes = JSON.stringify(event(1, 1).data).length;
console.log(`store: ${path}  payload ≈ ${payloadBytes} bytes  ${appended.toLocaleString('en-US')} events in ${stats.streams.toLocaleString('en-US')} streams, ${batches} appendToStreams calls of ${batchSize} events over ${streamsPerBatch} streams`);
// CPU-time rates are shown too: on a shared machine wall time mostly measures the neighbours.
console.log(`append   : ${rate(appended, appendMs)} events/s wall, ${rate(appended, appendCpuMs)} events/CPU-s inside appendToStreams (${(appendMs / 1000).toFixed(2)} s); ${rate(appended, appendPhaseMs)} events/s wall including event generation`);
console.log(`readAll  : ${rate(read, readMs)} events/s wall, ${rate(read, readCpuMs)} events/CPU-s with JSON.parse (${(readMs / 1000).toFixed(2)} s, checksum ${checksum})`);
console.log(`process  : ${rate(appended + read, totalMs)} events/s wall (append + read, ${(totalMs / 1000).toFixed(2)} s wall, ${(cpuMs() / 1000).toFixed(2)} s CPU)`);
console.log(`load avg : ${loadBefore} before, ${load()} after (${availableParallelism()} CPUs)`);
console.log(`peak RSS : ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB; database file ${(dbBytes / 1024 / 1024).toFixed(0)} MiB`);
if (read !== appended || stats.events !== appended) throw new Error(`read ${read}, stats ${stats.events}, appended ${appended}`);
