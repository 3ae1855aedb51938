/**
 * The fact files are read and validated in a worker thread (readInThread) or
 * in the calling thread (the default): the log, the ledger, the rejects file, the summary
 * and the progress reports must not tell which, rejects of every kind and
 * conflicting duplicates included; and a worker that fails or dies fails
 * the import, which run again goes on where it stopped.
 */
import { appendFileSync, existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { postgresForTests } from '@leerroutes/event-store/test-support/postgres';
import type { ImportProgress, ImportSummary } from '../src/index.js';
import { threadDeriver } from '../src/derive-thread.js';
import { threadReader } from '../src/read-thread.js';
import { startImportWorker } from '../src/worker.js';
import { describeEachStore, row, workspace, type Workspace } from './fixtures.js';

const pg = await postgresForTests();

const learners = Array.from({ length: 40 }, (_, i) => `L${String(i).padStart(3, '0')}`);
const files = {
  'learners.csv': [
    ...learners.map((id, i) => `${id},2000-0${1 + (i % 9)},${i % 2 ? 'f' : 'm'},2011-08-01,0,middle,none,RDAM`),
    '123456782,2000-01,m,2011-08-01,0,middle,none,RDAM',
    'L900,2000-13,m,2011-08-01,0,middle,none,RDAM',
  ],
  'advice.csv': [...learners.map((id) => `${id},2011-2012,2012-03-01,01PO,final,havo,`), 'L001,2011-2012,2012-03-01,01PO,final,vwo,'],
  'diplomas.csv': learners.filter((_, i) => i % 4 === 0).map((id) => `${id},2013-2014,2014-06-30,10AA,havo,`),
  'enrollments.csv': [
    ...learners.flatMap((id) => [row(id, 2012, 'vo', '10AA', 'havo', 1), row(id, 2013, 'vo', '10AA', 'havo', 2)]),
    row('L002', 2013, 'vo', '10AA', 'havo', 2),
    row('L003', 2013, 'vo', '10AA', 'vwo', 2),
    row('L004', 2014, 'vo', '10AA', 'hovo', 3),
    'L005,2014-2015,2014-10-01,vo,10AA',
    'L006,2014-2015,2014-10-01,vo,"10AA,,havo,3,,',
    '  L007 , 2014-2015 , 2014-10-01 , vo , "10AA" ,, " HAVO " , 3 ,, ',
  ],
  'areas.csv': ['NL,Nederland,', 'RDAM,Rotterdam,NL'],
};

/** Bytes no string fixture can hold: a line that is not UTF-8 and one with a control character. */
function addRawLines(dir: string): void {
  appendFileSync(join(dir, 'enrollments.csv'), Buffer.concat([Buffer.from('L008,2014-2015,2014-10-01,vo,10AA,,h'), Buffer.from([0xff, 0xfe]), Buffer.from('vo,3,,\n')]));
  appendFileSync(join(dir, 'enrollments.csv'), 'L009,2014-2015,2014-10-01,vo,10AA,,havo\u0001,3,,\n');
}

async function state(ws: Workspace, summary: ImportSummary): Promise<string> {
  const lines: string[] = [];
  for await (const batch of ws.store.readAll()) for (const e of batch) lines.push(JSON.stringify([e.position, e.stream, e.revision, e.eventId, e.type, e.data, e.knownAt, e.metadata]));
  const ledger = (await (await ws.ledger()).dump()).replaceAll(ws.root, '<root>').replace(/"[0-9a-f]{40}"/g, '"<fingerprint>"');
  const rejects = summary.rejectsFile !== null && existsSync(summary.rejectsFile) ? readFileSync(summary.rejectsFile, 'utf8').replaceAll(ws.root, '<root>') : '';
  const { seconds: _s, rowsPerSecond: _r, eventsPerSecond: _e, dir: _d, rejectsFile: _f, ...rest } = summary;
  return [...lines, ledger, rejects, JSON.stringify(rest)].join('\n');
}

describeEachStore('reading the fact files in a worker thread', pg, (kind) => {
  const open: Workspace[] = [];
  afterEach(async () => { for (const ws of open.splice(0)) await ws.close(); });

  const importOnce = async (readInThread: boolean, extra: Record<string, unknown> = {}) => {
    const ws = await workspace(kind);
    open.push(ws);
    const dir = ws.delivery('d1', files);
    addRawLines(dir);
    const progress: ImportProgress[] = [];
    const summary = await ws.import(dir, { knownAt: '2014-11-01', batchRows: 7, batchLearners: 4, readInThread, onProgress: (p) => progress.push(p), ...extra });
    return { ws, dir, summary, progress, state: await state(ws, summary) };
  };

  it('gives the log, ledger, rejects, summary and progress of reading in the calling thread', async () => {
    const inThread = await importOnce(false);
    // Chunks of a few lines: rows, rejects and committed batches fall across many chunks.
    const inWorker = await importOnce(true, { readChunkBytes: 97 });
    const byCode = inWorker.summary.rejectsByReason;
    for (const code of ['bsn-shaped-id', 'invalid-value', 'duplicate-key', 'unknown-level', 'wrong-column-count', 'malformed-record', 'invalid-encoding']) expect(byCode[code], code).toBeGreaterThan(0);
    expect(inWorker.summary.files.find((f) => f.file === 'enrollments.csv')?.repeated).toBe(1);
    expect(inWorker.state).toBe(inThread.state);
    const reads = (p: ImportProgress[]) => p.filter((x) => x.phase === 'read').map((x) => [x.file, x.rows, x.bytes, x.totalBytes]);
    expect(reads(inWorker.progress)).toEqual(reads(inThread.progress));
  });

  it('fails the import when the worker cannot read a file, and the same command, run again, ends as if nothing happened', async () => {
    const reference = await importOnce(false);
    const ws = await workspace(kind);
    open.push(ws);
    const dir = ws.delivery('d1', files);
    addRawLines(dir);
    const options = { knownAt: '2014-11-01', batchRows: 7, batchLearners: 4, readInThread: true };
    // With chunks this small the worker is at most a few hundred bytes into advice.csv when areas.csv (read by the
    // writer, first, as is learners.csv) is done: it reaches enrollments.csv only after that is moved away, and a rename
    // keeps the file's fingerprint.
    const away = join(ws.root, 'enrollments.away');
    const failed = ws.import(dir, {
      ...options, readChunkBytes: 64,
      onProgress: (p) => { if (p.phase === 'read' && p.file === 'areas.csv' && p.bytes === p.totalBytes) renameSync(join(dir, 'enrollments.csv'), away); },
    });
    await expect(failed).rejects.toThrow(/enrollments\.csv/);
    renameSync(away, join(dir, 'enrollments.csv'));
    const resumed: string[] = [];
    const summary = await ws.import(dir, { ...options, onResume: (d) => resumed.push(d.state) });
    expect(resumed).toEqual(['reading']);
    expect(await state(ws, { ...summary, resumed: false })).toBe(reference.state);
  });
});

describe('a worker that dies', () => {
  const plan = { files: [{ name: 'learners.csv', path: '/nonexistent/learners.csv', skip: 0 }] };

  it('fails the reading of whoever reads on it, before or after it died', async () => {
    const worker = new Worker('process.exit(3)', { eval: true });
    const reader = threadReader(plan, worker);
    await expect(reader.items('learners.csv', 'learner').next()).rejects.toThrow(/stopped \(exit code 3\)/);
    await reader.close();
    const dead = startImportWorker();
    await dead.terminate();
    const late = threadReader(plan, dead);
    await expect(late.items('learners.csv', 'learner').next()).rejects.toThrow(/stopped/);
    await late.close();
  });

  it('fails the batches handed to it, whether it died before they were or after', async () => {
    const setup = { delivery: 1, knownAt: '2014-11-01T00:00:00.000Z', coveredReferenceDates: [], areaParents: [], encoding: 'sqlite' as const };
    const input = { learnerIds: [], facts: { enrolment: [], advice: [], diploma: [], learner: [] }, existing: [] };
    const alive = startImportWorker();
    const deriver = threadDeriver(setup, [alive]);
    await expect(deriver.derive(input)).resolves.toMatchObject({ appends: [] });
    const pending = deriver.derive(input);
    await alive.terminate();
    await expect(pending.then(() => deriver.derive(input))).rejects.toThrow(/stopped/);
    await deriver.close();
    const late = threadDeriver(setup, [alive]);
    await expect(late.derive(input)).rejects.toThrow(/stopped/);
    await late.close();
  });
});
