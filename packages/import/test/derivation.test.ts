import { createHash } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { postgresForTests } from '@leerroutes/event-store/test-support/postgres';
import { row, types, describeEachStore, workspace, type Workspace } from './fixtures.js';

const pg = await postgresForTests();

/** Each derivation rule of SPEC section 7 on a small hand-written case. */
describeEachStore('deriving transition events from yearly registrations', pg, (kind) => {
  let ws: Workspace;
  beforeEach(async () => { ws = await workspace(kind); });
  afterEach(async () => { await ws.close(); });

  const enrolmentTypes = async (id: string) => types((await ws.stream(id)).filter((e) => e.type !== 'LearnerRegistered' && e.type !== 'BackgroundRecorded'));

  it('places the first VO row, then promotes, repeats and changes level', async () => {
    await ws.import(ws.delivery('d1', {
      'enrollments.csv': [
        row('A', 2011, 'po', '01PO', '', 8),
        row('A', 2012, 'vo', '10AA', 'havo/vwo', 1),
        row('A', 2013, 'vo', '10AA', 'havo', 2), // half-afstroom from the dakpan, promoted
        row('A', 2014, 'vo', '10AA', 'havo', 2), // doubleren
        row('A', 2015, 'vo', '10AA', 'vwo', 3), // up
      ],
    }));
    expect(await enrolmentTypes('A')).toEqual([
      '2012-10-01 Placed',
      '2013-10-01 LevelChanged', '2013-10-01 Promoted',
      '2014-10-01 Repeated',
      '2015-10-01 LevelChanged', '2015-10-01 Promoted',
    ]);
    const events = await ws.stream('A');
    const placed = events.find((e) => e.type === 'Placed')!.data as { enrolment: { level: { code: string; span: unknown }; grade: number; institution: string } };
    expect(placed.enrolment).toMatchObject({ institution: '10AA', grade: 1, level: { code: 'havo/vwo', span: { low: 4, high: 5 } } });
    const changes = events.filter((e) => e.type === 'LevelChanged').map((e) => e.data as { from: { code: string }; enrolment: { level: { code: string } } });
    expect(changes.map((c) => `${c.from.code}->${c.enrolment.level.code}`)).toEqual(['havo/vwo->havo', 'havo->vwo']);
    const repeated = events.find((e) => e.type === 'Repeated')!.data as { fromGrade: number; enrolment: { grade: number } };
    expect([repeated.fromGrade, repeated.enrolment.grade]).toEqual([2, 2]);
  });

  it('records a school switch together with a level change and a promotion in one yearly step', async () => {
    await ws.import(ws.delivery('d1', {
      'enrollments.csv': [row('B', 2012, 'vo', '10AA', 'vwo', 1), row('B', 2013, 'vo', '20BB', 'vmbo-t', 2)],
    }));
    expect(await enrolmentTypes('B')).toEqual(['2012-10-01 Placed', '2013-10-01 SchoolSwitched', '2013-10-01 LevelChanged', '2013-10-01 Promoted']);
    const sw = (await ws.stream('B')).find((e) => e.type === 'SchoolSwitched')!.data as { fromInstitution: string; enrolment: { institution: string } };
    expect([sw.fromInstitution, sw.enrolment.institution]).toEqual(['10AA', '20BB']);
  });

  it('treats a higher VO level after a VO diploma as next education (stacking into havo 4)', async () => {
    await ws.import(ws.delivery('d1', {
      'enrollments.csv': [
        row('C', 2012, 'vo', '10AA', 'vmbo-t', 3), row('C', 2013, 'vo', '10AA', 'vmbo-t', 4),
        row('C', 2014, 'vo', '10AA', 'havo', 4), row('C', 2015, 'vo', '10AA', 'havo', 5),
        row('C', 2016, 'hbo', '30HB', 'hbo-ba', 1),
      ],
      'diplomas.csv': ['C,2013-2014,2014-06-30,10AA,vmbo-t,', 'C,2015-2016,2016-07-01,10AA,havo,'],
    }));
    expect(await enrolmentTypes('C')).toEqual([
      '2012-10-01 Placed', '2013-10-01 Promoted', '2014-06-30 DiplomaAwarded', '2014-10-01 NextEducationStarted',
      '2015-10-01 Promoted', '2016-07-01 DiplomaAwarded', '2016-10-01 NextEducationStarted',
    ]);
    const next = (await ws.stream('C')).filter((e) => e.type === 'NextEducationStarted').map((e) => e.data as { afterDiploma: string; enrolment: { sector: string; level: { code: string } } });
    expect(next.map((n) => `${n.afterDiploma}->${n.enrolment.sector}:${n.enrolment.level.code}`)).toEqual(['vmbo-t->vo:havo', 'havo->hbo:hbo-ba']);
  });

  it('concludes leaving only on a covered later reference date, and re-entry after it', async () => {
    await ws.import(ws.delivery('d1', {
      'enrollments.csv': [
        row('D', 2012, 'vo', '10AA', 'vmbo-b', 3), row('D', 2013, 'vo', '10AA', 'vmbo-b', 4),
        // E keeps 2014 and 2016 covered; it is also on the newest date.
        row('E', 2012, 'vo', '10AA', 'havo', 1), row('E', 2013, 'vo', '10AA', 'havo', 2), row('E', 2014, 'vo', '10AA', 'havo', 3),
        row('E', 2015, 'vo', '10AA', 'havo', 4),
        row('D', 2015, 'mbo', '40MB', 'mbo-2', 1, 'bol'),
      ],
    }));
    expect(await enrolmentTypes('D')).toEqual(['2012-10-01 Placed', '2013-10-01 Promoted', '2014-10-01 LeftEducation', '2015-10-01 ReEntered']);
    const left = (await ws.stream('D')).find((e) => e.type === 'LeftEducation')!.data as { withStartkwalificatie: boolean; lastEnrolment: { referenceDate: string } };
    expect(left).toMatchObject({ withStartkwalificatie: false, lastEnrolment: { referenceDate: '2013-10-01' } });
    // E is on the newest covered date: nothing says E left.
    expect((await ws.stream('E')).some((e) => e.type === 'LeftEducation')).toBe(false);
  });

  it('does not conclude leaving from the newest snapshot alone, but does once the next count arrives without the learner', async () => {
    await ws.import(ws.delivery('d1', { 'enrollments.csv': [row('F', 2012, 'vo', '10AA', 'vwo', 1), row('G', 2012, 'vo', '10AA', 'vwo', 1)] }));
    await ws.import(ws.delivery('d2', { 'enrollments.csv': [row('F', 2013, 'vo', '10AA', 'vwo', 2)] }));
    expect(types(await ws.stream('F'))).toEqual(['2012-10-01 Placed', '2013-10-01 Promoted']);
    // G is not in the 2013 count: only now can the engine tell G left.
    expect(types(await ws.stream('G'))).toEqual(['2012-10-01 Placed', '2013-10-01 LeftEducation']);
  });

  it('records leaving with a startkwalificatie after a havo diploma', async () => {
    await ws.import(ws.delivery('d1', {
      'enrollments.csv': [row('H', 2012, 'vo', '10AA', 'havo', 5), row('X', 2012, 'vo', '10AA', 'havo', 1), row('X', 2013, 'vo', '10AA', 'havo', 2)],
      'diplomas.csv': ['H,2012-2013,2013-07-01,10AA,havo,'],
    }));
    const left = (await ws.stream('H')).find((e) => e.type === 'LeftEducation')!.data as { withStartkwalificatie: boolean };
    expect(left.withStartkwalificatie).toBe(true);
  });

  it('derives advice, a revision after the test with a flag for downward ones, and the test score', async () => {
    await ws.import(ws.delivery('d1', {
      'advice.csv': [
        'K,2011-2012,2012-01-15,01PO,provisional,vmbo-t,',
        'K,2011-2012,2012-03-01,01PO,final,vmbo-t/havo,541',
        'K,2011-2012,2012-05-20,01PO,revised,havo/vwo,',
        'L,2011-2012,2012-03-01,01PO,final,havo,',
        'L,2011-2012,2012-05-20,01PO,revised,vmbo-t,',
      ],
    }));
    expect(types(await ws.stream('K'))).toEqual(['2012-01-15 AdviceGiven', '2012-03-01 TestScoreRecorded', '2012-03-01 AdviceGiven', '2012-05-20 AdviceRevised']);
    const k = await ws.stream('K');
    expect(k[1]!.data).toMatchObject({ score: 541, indicatedLevel: { code: 'havo/vwo' } });
    expect(k[3]!.data).toMatchObject({ from: { code: 'vmbo-t/havo' }, to: { code: 'havo/vwo' }, downward: false });
    const l = (await ws.stream('L')).find((e) => e.type === 'AdviceRevised')!;
    expect(l.data).toMatchObject({ from: { code: 'havo' }, to: { code: 'vmbo-t' }, downward: true });
  });

  it('names each event by the SHA-1 of its type and data without the source, and makes its first id of the same digest', async () => {
    // Keys and ids must not change between versions: a re-delivery would otherwise retract and re-append every event.
    await ws.import(ws.delivery('d1', {
      'areas.csv': ['NL,Nederland,', 'GM0599,Rotterdam,NL'],
      'learners.csv': ['N,2000-03,f,2011-08-01,1.2,low,non-western,GM0599'],
      'advice.csv': ['N,2011-2012,2012-03-01,01PO,final,vmbo-t/havo,541', 'N,2011-2012,2012-05-20,01PO,revised,havo,'],
      'enrollments.csv': [row('N', 2011, 'po', '01PO', '', 8), row('N', 2012, 'vo', '10AA', 'havo', 1), row('N', 2013, 'vo', '10AB', 'vwo', 1)],
    }));
    const events = await ws.stream('N');
    expect(events.length).toBeGreaterThanOrEqual(7);
    for (const e of events) {
      const { source, ...content } = e.data as { source: { system: string } };
      expect(source.system).toBe('import');
      const digest = createHash('sha1').update(`${e.type}|${JSON.stringify(content)}`).digest();
      expect(e.metadata!['key']).toBe(digest.toString('base64url'));
      const hex = digest.subarray(0, 16).toString('hex').split('');
      hex[12] = '5';
      hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
      const uuid = hex.join('');
      expect(e.eventId).toBe(`${uuid.slice(0, 8)}-${uuid.slice(8, 12)}-${uuid.slice(12, 16)}-${uuid.slice(16, 20)}-${uuid.slice(20)}`);
    }
  });

  it('writes every type of derived event with the same four fields first, in the same order (their order is part of every key)', async () => {
    // The key is the data's JSON: a field moved would change the key of every such event in a log written before.
    await ws.import(ws.delivery('d1', {
      'learners.csv': ['P,2000-03,f,2011-08-01,1.2,low,non-western,', 'P,2000-03,f,2013-08-01,0.3,middle,non-western,'],
      'advice.csv': ['P,2011-2012,2012-03-01,01PO,final,vmbo-t,530', 'P,2011-2012,2012-05-20,01PO,revised,havo,'],
      'enrollments.csv': [
        row('P', 2011, 'po', '01PO', '', 8), row('P', 2012, 'vo', '10AA', 'vmbo-t', 3), row('P', 2013, 'vo', '10AA', 'vmbo-t', 3),
        row('P', 2014, 'vo', '20BB', 'vmbo-g', 4), row('P', 2016, 'vo', '20BB', 'havo', 4), row('P', 2017, 'mbo', '40MB', 'mbo-3', 1, 'bol'),
        row('Q', 2012, 'vo', '10AA', 'havo', 1), row('Q', 2013, 'vo', '10AA', 'havo', 2), row('Q', 2015, 'vo', '10AA', 'havo', 3),
        row('Q', 2016, 'vo', '10AA', 'havo', 4), row('Q', 2017, 'vo', '10AA', 'havo', 5),
      ],
      'diplomas.csv': ['P,2014-2015,2015-06-30,20BB,vmbo-g,'],
    }));
    const seen = new Set<string>();
    for (const id of ['P', 'Q']) {
      for (const e of await ws.stream(id)) {
        seen.add(e.type);
        expect(Object.keys(e.data as object).slice(0, 4), `${id} ${e.type}`).toEqual(['learnerId', 'occurredOn', 'schoolYear', 'source']);
      }
    }
    expect([...seen].sort()).toEqual([
      'AdviceGiven', 'AdviceRevised', 'BackgroundRecorded', 'DiplomaAwarded', 'LearnerRegistered', 'LeftEducation', 'LevelChanged',
      'NextEducationStarted', 'Placed', 'Promoted', 'ReEntered', 'Repeated', 'SchoolSwitched', 'TestScoreRecorded',
    ]);
  });

  it('registers the learner and records dated background with the area and its parents', async () => {
    await ws.import(ws.delivery('d1', {
      'areas.csv': ['NL,Nederland,', 'GM0599,Rotterdam,NL', 'RTD-ZUID,Rotterdam Zuid,GM0599'],
      'learners.csv': ['M,2000-03,f,2011-08-01,1.2,low,non-western,RTD-ZUID', 'M,2000-03,f,2014-01-01,0,middle,non-western,NL'],
    }));
    const events = await ws.stream('M');
    expect(types(events)).toEqual(['2011-08-01 LearnerRegistered', '2011-08-01 BackgroundRecorded', '2014-01-01 BackgroundRecorded']);
    expect(events[0]!.data).toMatchObject({ birthMonth: '2000-03', gender: 'f' });
    expect(events[1]!.data).toMatchObject({ pupilWeight: 1.2, parentalEducation: 'low', area: { code: 'RTD-ZUID', parents: ['GM0599', 'NL'] } });
    const areas = await ws.store.readStream('reference-areas');
    expect(areas.map((e) => (e.data as { area: string }).area)).toEqual(['NL', 'GM0599', 'RTD-ZUID']);
  });
});
