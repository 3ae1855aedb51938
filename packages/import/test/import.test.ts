import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { postgresForTests } from '@leerroutes/event-store/test-support/postgres';
import * as E from 'fp-ts/lib/Either.js';
import { decodeEvent, looksLikeBsn } from '@leerroutes/domain';
import { meaning, row, describeEachStore, workspace, type Workspace } from './fixtures.js';

const pg = await postgresForTests();

const original = {
  'learners.csv': ['A,2000-05,m,2011-08-01,0,high,none,NL', 'B,2000-07,f,2011-08-01,0.3,low,none,NL', 'C,2000-09,f,2011-08-01,0,middle,none,NL'],
  'advice.csv': ['A,2011-2012,2012-03-01,01PO,final,havo,', 'B,2011-2012,2012-03-01,01PO,final,vmbo-k,', 'C,2011-2012,2012-03-01,01PO,final,vwo,'],
  'enrollments.csv': [
    row('A', 2012, 'vo', '10AA', 'havo', 1), row('A', 2013, 'vo', '10AA', 'havo', 2), row('A', 2014, 'vo', '10AA', 'havo', 3),
    row('B', 2012, 'vo', '10AA', 'vmbo-k', 1), row('B', 2013, 'vo', '10AA', 'vmbo-k', 2), row('B', 2014, 'vo', '10AA', 'vmbo-k', 3),
    row('C', 2012, 'vo', '10AA', 'vwo', 1), row('C', 2013, 'vo', '10AA', 'vwo', 2), row('C', 2014, 'vo', '10AA', 'vwo', 3),
  ],
  'diplomas.csv': [] as string[],
};

/** The same population with the 2013 and 2014 counts corrected, B's advice corrected and a diploma added. */
const corrected = {
  'learners.csv': original['learners.csv'],
  'advice.csv': ['A,2011-2012,2012-03-01,01PO,final,havo,', 'B,2011-2012,2012-03-01,01PO,final,vmbo-t,', 'C,2011-2012,2012-03-01,01PO,final,vwo,'],
  'enrollments.csv': [
    row('A', 2012, 'vo', '10AA', 'havo', 1), row('A', 2013, 'vo', '10AA', 'vmbo-t', 2), row('A', 2014, 'vo', '10AA', 'vmbo-t', 3), // level corrected
    row('B', 2012, 'vo', '10AA', 'vmbo-k', 1), row('B', 2013, 'vo', '10AA', 'vmbo-k', 2), // B missing from 2014: left
    row('C', 2012, 'vo', '10AA', 'vwo', 1), row('C', 2013, 'vo', '20BB', 'vwo', 2), row('C', 2014, 'vo', '20BB', 'vwo', 3), // school corrected
  ],
  'diplomas.csv': ['B,2013-2014,2014-07-01,10AA,vmbo-k,'],
};

describeEachStore('importing registrations', pg, (kind) => {
  let ws: Workspace;
  beforeEach(async () => { ws = await workspace(kind); });
  afterEach(async () => { await ws.close(); });

  it('adds nothing when the same files are imported twice', async () => {
    const dir = ws.delivery('d1', original);
    const first = await ws.import(dir);
    const head = await ws.store.headPosition();
    expect(first.eventsAppended).toBeGreaterThan(0);
    // The very same files again (a repeated command): recognised as the latest delivery, nothing read.
    const again = await ws.import(dir);
    expect(again).toMatchObject({ alreadyImported: true, delivery: first.delivery });
    expect(await ws.store.headPosition()).toBe(head);
    // The same content delivered anew (another copy): a delivery of its own, every row unchanged, no event.
    const second = await ws.import(ws.delivery('d1-copy', original));
    expect(second.alreadyImported).toBe(false);
    expect(second.delivery).toBe(first.delivery + 1);
    expect(second.eventsAppended).toBe(0);
    expect(second.learnersRederived).toBe(0);
    expect(second.files.find((f) => f.file === 'enrollments.csv')).toMatchObject({ rows: 9, unchanged: 9, inserted: 0, changed: 0 });
    expect(await ws.store.headPosition()).toBe(head);
  });

  it('derives only events that pass their schema (derived events skip re-validation on the hot path)', async () => {
    await ws.import(ws.delivery('d1', { ...original, 'areas.csv': ['NL,Nederland,'], 'institutions.csv': ['10AA,School,B1,Rotterdam,vo'] }));
    await ws.import(ws.delivery('d2', corrected));
    let n = 0;
    for await (const batch of ws.store.readAll()) {
      for (const e of batch) {
        const decoded = decodeEvent(e.type, e.schemaVersion, e.data);
        expect(E.isRight(decoded) ? 'ok' : decoded.left.message, `${e.type} at ${e.position}`).toBe('ok');
        n++;
      }
    }
    expect(n).toBeGreaterThan(30);
  });

  it('applies a corrected re-delivery so the pathways equal a clean import of the corrected files', async () => {
    await ws.import(ws.delivery('d1', original), { knownAt: '2015-01-10' });
    const correction = await ws.import(ws.delivery('d2', { 'advice.csv': corrected['advice.csv'], 'enrollments.csv': corrected['enrollments.csv'].filter((r) => !r.includes(',2012-10-01,')), 'diplomas.csv': corrected['diplomas.csv'] }), { knownAt: '2015-06-01' });
    expect(correction.eventsRetracted).toBeGreaterThan(0);
    expect(correction.eventsByType['Retracted']).toBe(3);
    expect(correction.droppedEnrolments).toBe(1);

    const clean = await workspace(kind);
    try {
      await clean.import(clean.delivery('clean', corrected));
      for (const id of ['A', 'B', 'C']) {
        const corrected = (await ws.live(id)).map(meaning).sort();
        const reference = (await clean.live(id)).map(meaning).sort();
        expect(corrected, `learner ${id}`).toEqual(reference);
      }
    } finally {
      await clean.close();
    }
    // The correction is stamped with its own knownAt; the original facts keep theirs.
    const b = await ws.stream('B');
    expect(b.find((e) => e.type === 'Retracted')!.knownAt.slice(0, 10)).toBe('2015-06-01');
    expect(b.find((e) => e.type === 'Placed')!.knownAt.slice(0, 10)).toBe('2015-01-10');
    expect((await ws.live('B')).map((e) => e.type)).toContain('LeftEducation');
  });

  it('appends content again under a new id when a retracted fact comes back', async () => {
    await ws.import(ws.delivery('d1', { 'enrollments.csv': [row('A', 2012, 'vo', '10AA', 'havo', 1)] }));
    await ws.import(ws.delivery('d2', { 'enrollments.csv': [row('A', 2012, 'vo', '10AA', 'vwo', 1)] }));
    await ws.import(ws.delivery('d3', { 'enrollments.csv': [row('A', 2012, 'vo', '10AA', 'havo', 1)] }));
    const live = await ws.live('A');
    expect(live.map((e) => (e.data as { enrolment: { level: { code: string } } }).enrolment.level.code)).toEqual(['havo']);
    expect((await ws.stream('A')).filter((e) => e.type === 'Placed')).toHaveLength(3);
  });

  it('rejects each kind of bad row with its file and line while every good row lands', async () => {
    const bsn = '111222333';
    expect(looksLikeBsn(bsn)).toBe(true);
    const summary = await ws.import(ws.delivery('d1', {
      'enrollments.csv': [
        row('A', 2012, 'vo', '10AA', 'havo', 1), // line 2: good
        row('B', 2012, 'vo', '10AA', 'hovo', 1), // line 3: unknown level code
        row('C', 2012, 'vo', '10AA', 'vmbo-t', 5), // line 4: grade out of range for vmbo
        'D,2012-2013,2013-09-01,vo,10AA,,havo,1,,', // line 5: date outside the school year
        row('A', 2012, 'vo', '10AA', 'vwo', 1), // line 6: same learner and date, other content
        row(bsn, 2012, 'vo', '10AA', 'havo', 1), // line 7: a citizen service number
        row('A', 2012, 'vo', '10AA', 'havo', 1), // line 8: identical repeat of line 2: not an error
        row('E', 2012, 'vo', '10AA', 'vwo', 1), // line 9: good
      ],
      'advice.csv': ['F,2011-2012,2011-03-01,01PO,final,havo,', 'G,2011-2012,2012-03-01,01PO,final,havo,'],
    }));
    expect(summary.rejectsByReason).toEqual({ 'unknown-level': 1, 'grade-out-of-range': 1, 'date-outside-school-year': 2, 'duplicate-key': 1, 'bsn-shaped-id': 1 });
    const rejects = readFileSync(summary.rejectsFile!, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').slice(0, 3).join(','));
    expect(rejects).toEqual([
      'advice.csv,2,date-outside-school-year',
      'enrollments.csv,3,unknown-level', 'enrollments.csv,4,grade-out-of-range', 'enrollments.csv,5,date-outside-school-year',
      'enrollments.csv,7,bsn-shaped-id', 'enrollments.csv,6,duplicate-key',
    ]);
    expect((await ws.stream('A')).map((e) => e.type)).toEqual(['Placed']);
    expect((await ws.stream('E')).map((e) => e.type)).toEqual(['Placed']);
    expect((await ws.stream('G')).map((e) => e.type)).toEqual(['AdviceGiven']);
    for (const id of ['B', 'C', 'D', 'F', bsn]) expect(await ws.stream(id)).toEqual([]);
    expect(summary.files.find((f) => f.file === 'enrollments.csv')).toMatchObject({ rows: 8, accepted: 3, rejected: 5, repeated: 1 });
  });

  it('refuses a file that lacks a required column, naming it', async () => {
    const dir = ws.delivery('d1', {});
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${dir}/enrollments.csv`, 'learner_id,school_year,sector\nA,2012-2013,vo\n');
    await expect(ws.import(dir)).rejects.toThrow(/missing column\(s\) reference_date, institution, level, grade/);
  });
});
