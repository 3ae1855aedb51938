/**
 * Learners are derived in a worker thread while the writer appends (the
 * default) or in the calling thread: the log must not tell which, for a first
 * delivery (new streams) and for a correction (streams that exist, retractions).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { postgresForTests } from '@leerroutes/event-store/test-support/postgres';
import { describeEachStore, row, workspace, type Workspace } from './fixtures.js';
import { threadDeriver } from '../src/derive-thread.js';
import { startImportWorker } from '../src/worker.js';
import { unjoin } from '@leerroutes/event-store/postgres/joined';
import { isJoined, isPacked, type DerivedAppends } from '../src/ledger/port.js';

const pg = await postgresForTests();

const learners = Array.from({ length: 25 }, (_, i) => `L${String(i).padStart(3, '0')}`);
const first = {
  'learners.csv': learners.map((id, i) => `${id},2000-0${1 + (i % 9)},${i % 2 ? 'f' : 'm'},2011-08-01,0,middle,none,RDAM`),
  'advice.csv': learners.map((id) => `${id},2011-2012,2012-03-01,01PO,final,havo,`),
  'diplomas.csv': learners.filter((_, i) => i % 4 === 0).map((id) => `${id},2013-2014,2014-06-30,10AA,havo,`),
  'enrollments.csv': learners.flatMap((id) => [row(id, 2012, 'vo', '10AA', 'havo', 1), row(id, 2013, 'vo', '10AA', 'havo', 2)]),
  'areas.csv': ['NL,Nederland,', 'RDAM,Rotterdam,NL'],
};
/** 2013 again, corrected (every third learner moved down, one missing), and 2014. */
const second = {
  'enrollments.csv': learners.flatMap((id, i) => i === 7 ? [] : [
    row(id, 2013, 'vo', '10AA', i % 3 === 0 ? 'vmbo-t' : 'havo', 2),
    row(id, 2014, 'vo', i % 5 === 0 ? '20BB' : '10AA', i % 3 === 0 ? 'vmbo-t' : 'havo', 3),
  ]),
};

/** A derived batch's appends as streams with each event's id, type and body, however they crossed. */
function appended(a: DerivedAppends): [string, string[]][] {
  if (isJoined(a)) return appended(unjoin(a));
  if (!isPacked(a)) return a.map((x) => [x.stream, x.events.map((e) => JSON.stringify(e))]);
  const bodies = Buffer.from(a.bodies.bytes).toString(a.bodies.narrow ? 'latin1' : 'utf16le');
  let at = 0;
  return a.streams.map((stream, i) => {
    const events: string[] = [];
    for (let k = 0; k < a.sizes[i]!; k++, at++) {
      const id = a.idText[at]! >= 0 ? a.strings[a.idText[at]!]! : Buffer.from(a.ids.subarray(at * 16, at * 16 + 16)).toString('hex');
      events.push(`${id}|${a.strings[a.type[at]!]!}|${bodies.slice(at === 0 ? 0 : a.bodyEnds[at - 1]!, a.bodyEnds[at]!)}`);
    }
    return [stream, events];
  });
}

async function log(ws: Workspace): Promise<string[]> {
  const lines: string[] = [];
  for await (const batch of ws.store.readAll()) for (const e of batch) lines.push(JSON.stringify([e.position, e.stream, e.revision, e.eventId, e.type, e.schemaVersion, e.occurredOn, e.knownAt, e.data, e.metadata]));
  return lines;
}

describeEachStore('derivation in a worker thread', pg, (kind) => {
  const open: Workspace[] = [];
  afterEach(async () => { for (const ws of open.splice(0)) await ws.close(); });

  it('gives the log and ledger of derivation in the calling thread, first delivery and correction alike', async () => {
    const runs: { log: string[]; ledger: string }[] = [];
    // Two workers take turns (the default on two cores), three leave one batch queued behind another, or one worker.
    for (const [deriveInThread, deriveWorkers] of [[true, 2], [true, 3], [true, 1], [false, undefined]] as const) {
      const ws = await workspace(kind);
      open.push(ws);
      // Small batches, so several are in flight while the writer appends.
      await ws.import(ws.delivery('d1', first), { knownAt: '2014-11-01', batchLearners: 4, deriveInThread, deriveWorkers });
      const s = await ws.import(ws.delivery('d2', second), { knownAt: '2015-11-01', batchLearners: 4, deriveInThread, deriveWorkers });
      expect(s.eventsByType['Retracted']).toBeGreaterThan(0);
      // The delivery's directory and its files' fingerprint (modification times) differ between workspaces.
      const ledger = (await (await ws.ledger()).dump()).replaceAll(ws.root, '<root>').replace(/"[0-9a-f]{40}"/g, '"<fingerprint>"');
      runs.push({ log: await log(ws), ledger });
    }
    expect(runs[0]!.log.length).toBeGreaterThan(learners.length * 4);
    for (const run of runs.slice(1)) {
      expect(run.log).toEqual(runs[0]!.log);
      expect(run.ledger).toBe(runs[0]!.ledger);
    }
  });

});

describe('the derivation worker', () => {
  it('fails the batch, not the process, when derivation throws in the worker', async () => {
    const deriver = threadDeriver({ delivery: 1, knownAt: '2014-11-01T00:00:00.000Z', coveredReferenceDates: [], areaParents: [], encoding: 'sqlite' });
    try {
      // A learner without its fact rows cannot be derived.
      const bad = deriver.derive({ learnerIds: ['X1'], facts: { enrolment: [['X2', '2012-10-01', 'x', 1]], advice: [], diploma: [], learner: [] }, existing: [] });
      await expect(bad).rejects.toThrow();
      const ok = await deriver.derive({ learnerIds: [], facts: { enrolment: [], advice: [], diploma: [], learner: [] }, existing: [] });
      expect(appended(ok.appends)).toEqual([]);
    } finally {
      await deriver.close();
    }
  });
});

describe('a derivation worker that loads its facts', () => {
  it('derives from the ledger file what it derives from the rows it is handed, and fails a batch when it has no file to load from', async () => {
    const ws = await workspace();
    const ledger = await ws.ledger();
    try {
      await ws.import(ws.delivery('d1', first), { knownAt: '2014-11-01' });
      expect(ledger.factsFile).toBeDefined();
      const setup = { delivery: 2, knownAt: '2014-11-01T00:00:00.000Z', coveredReferenceDates: await ledger.coveredReferenceDates(), areaParents: [...await ledger.areaParents()], encoding: 'sqlite' as const };
      const ids = learners.slice(3, 11);
      const handed = threadDeriver(setup, 1);
      const loading = threadDeriver({ ...setup, factsFile: ledger.factsFile! }, 1);
      const noFile = threadDeriver(setup, 1);
      try {
        const a = await handed.derive({ learnerIds: ids, facts: await ledger.loadFactRows(ids), existing: [] });
        const b = await loading.derive({ learnerIds: ids, facts: null, existing: [] });
        expect(a.counts.events).toBeGreaterThan(ids.length * 4);
        expect(b.counts).toEqual(a.counts);
        expect(appended(b.appends)).toEqual(appended(a.appends));
        expect(appended(a.appends)).toHaveLength(ids.length);
        await expect(noFile.derive({ learnerIds: ids, facts: null, existing: [] })).rejects.toThrow(/without its facts/);
      } finally {
        await Promise.all([handed.close(), loading.close(), noFile.close()]);
      }
    } finally {
      await ws.close();
    }
  });
});

describe('a derivation worker that dies', () => {
  it('fails the batches handed to it, whether it died before they were or after', async () => {
    const setup = { delivery: 1, knownAt: '2014-11-01T00:00:00.000Z', coveredReferenceDates: [], areaParents: [], encoding: 'sqlite' as const };
    const input = { learnerIds: [], facts: { enrolment: [], advice: [], diploma: [], learner: [] }, existing: [] };
    const alive = startImportWorker();
    const deriver = threadDeriver(setup, [alive]);
    expect(appended((await deriver.derive(input)).appends)).toEqual([]);
    const pending = deriver.derive(input);
    await alive.terminate();
    await expect(pending.then(() => deriver.derive(input))).rejects.toThrow(/stopped/);
    await deriver.close();
    const late = threadDeriver(setup, [alive]);
    await expect(late.derive(input)).rejects.toThrow(/stopped/);
    await late.close();
  });
});
