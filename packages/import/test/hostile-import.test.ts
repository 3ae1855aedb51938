/**
 * Hostile files through the public import API only (importDirectory and the
 * summary it returns), so that this test survives rewrites of the import.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as csvParse } from 'csv-parse/sync';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { learnerStream } from '@leerroutes/domain';
import type { EventStore } from '@leerroutes/event-store';
import { postgresForTests } from '@leerroutes/event-store/test-support/postgres';
import { importDirectory } from '@leerroutes/import';
import { describeEachStore } from './fixtures.js';

const pg = await postgresForTests();

let root: string;
let store: EventStore;
let run: (dir: string) => ReturnType<typeof importDirectory>;

function delivery(files: Record<string, Buffer | string>): string {
  const dir = join(root, 'delivery');
  mkdirSync(dir, { recursive: true });
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
  return dir;
}
const events = async (id: string) => (await store.readStream(learnerStream(id))).map((e) => e.type);

describeEachStore('importing hostile files', pg, (kind) => {
  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'leerroutes-hostile-'));
    store = await kind.open(root);
    run = (dir) => importDirectory({ dir, store, ...kind.importOptions(root), rejectsFile: join(root, 'out', 'rejects.csv') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('rejects every bad row with file, line and reason, lands every good row, and keeps the rejects file small', async () => {
    const tenMegabytes = 'z'.repeat(10 * 1024 * 1024);
    const e = (line: string, eol = '\n') => Buffer.from(line + eol, 'utf8');
    const enrollments = Buffer.concat([
      // Reordered, oddly written header with an unknown column, after a BOM.
      e('\uFEFFGrade, Learner_ID ,school_year,reference_date,sector,institution,branch,level,programme,track,note', '\r\n'),
      e('1,A,2016-2017,2016-10-01,vo,10AA,,havo,,,', '\r\n'), // 2 good
      e('03,B,2016-2017,2016-10-01,VO,10AA,, HAVO / VWO ,"Natuur, ""Techniek""",,x', '\r'), // 3 good: grade 3, havo/vwo
      e('   ', '\n'), // 4 blank (an empty line here would make the CR before it a CRLF)
      e('3.0,C,2016-2017,2016-10-01,vo,10AA,,havo,,,'), // 5 grade not a whole number
      e('1,D,2016-2017,2016-10-01,vo,10AA,,havo,"unclosed,,,'), // 6 unbalanced quote
      e('1,E,2016-2017,2016-10-01,vo,10AA,,vwo,,,', '\r\n'), // 7 good: not swallowed by line 6
      Buffer.concat([Buffer.from('1,F,2016-2017,2016-10-01,vo,10AA,,havo,caf'), Buffer.from([0xe9]), Buffer.from(',,\n')]), // 8 Latin-1, not UTF-8
      e('1,G,2016-2017,2016-10-01,vo,10AA,,havo,,,,extra'), // 9 twelve cells
      e('1,H,2016-2017,2016-10-01,vo,10AA,,havo,bell\u0007,,'), // 10 control character
      e('1,I,2015-2016,2016-02-30,vo,10AA,,havo,,,'), // 11 no such date
      e(`1,J,2016-2017,2016-10-01,vo,10AA,,havo,${tenMegabytes},,`), // 12 ten megabytes
      e('1,K,2016-2017,2016-10-01,vo,10AA,,Vwo,,,'), // 13 good
      Buffer.from(' 2 ,L,2016-2017,2016-10-01,vo,10AA,,havo,,,'), // 14 good, no final line break
    ]);
    const longArea = 'a'.repeat(5000);
    const dir = delivery({
      'enrollments.csv': enrollments,
      'advice.csv': 'learner_id,school_year,issued_on,po_school,kind,level,test_score\r\n',
      'learners.csv': [
        'learner_id,birth_month,gender,valid_from,pupil_weight,parental_education,migration_background,area',
        'A,2004-05,m,2016-08-01,0,high,none,NL',
        `B,2004-07,q,2016-08-01,0,low,none,${longArea}`,
      ].join('\n'),
    });

    const summary = await run(dir);

    expect(summary.files.map((f) => ({ file: f.file, rows: f.rows, accepted: f.accepted, rejected: f.rejected }))).toEqual([
      { file: 'learners.csv', rows: 2, accepted: 1, rejected: 1 },
      { file: 'advice.csv', rows: 0, accepted: 0, rejected: 0 },
      { file: 'enrollments.csv', rows: 12, accepted: 5, rejected: 7 },
    ]);
    expect(summary.rejected).toBe(8);
    expect(summary.rejectsByReason).toEqual({ 'invalid-value': 4, 'malformed-record': 1, 'invalid-encoding': 1, 'wrong-column-count': 1, 'record-too-large': 1 });
    expect(summary.rejectsFile).toBe(join(root, 'out', 'rejects.csv'));

    const rejects = (csvParse(readFileSync(summary.rejectsFile!)) as string[][]);
    expect(rejects[0]).toEqual(['file', 'line', 'reason', 'message', 'row']);
    expect(rejects.slice(1).map(([file, line, reason, message]) => [file, line, reason, message])).toEqual([
      ['learners.csv', '3', 'invalid-value', "unknown gender 'q'"],
      ['enrollments.csv', '5', 'invalid-value', "grade '3.0' is not a whole number"],
      ['enrollments.csv', '6', 'malformed-record', 'unbalanced quote: the quote opening cell 9 is not closed on this line'],
      ['enrollments.csv', '8', 'invalid-encoding', 'line is not valid UTF-8 at byte 43 of the line (e9 2c 2c)'],
      ['enrollments.csv', '9', 'wrong-column-count', 'row has 12 cells, header has 11'],
      ['enrollments.csv', '10', 'invalid-value', "column 'programme' contains a control character (U+0007)"],
      ['enrollments.csv', '11', 'invalid-value', "reference_date: not a date like 2016-10-01: '2016-02-30'"],
      ['enrollments.csv', '12', 'record-too-large', `line is ${tenMegabytes.length + 41} bytes long; the limit is 65536 bytes`],
    ]);
    const raw = Object.fromEntries(rejects.slice(1).map((r) => [`${r[0]}:${r[1]}`, JSON.parse(r[4]!) as unknown]));
    expect(raw['learners.csv:3']).toMatchObject({ learner_id: 'B', gender: 'q', area: `${'a'.repeat(176)}… [cut: 5000 characters]` });
    expect(raw['enrollments.csv:6']).toBe('1,D,2016-2017,2016-10-01,vo,10AA,,havo,"unclosed,,,');
    expect(raw['enrollments.csv:8']).toBe('1,F,2016-2017,2016-10-01,vo,10AA,,havo,caf\uFFFD,,');
    expect(raw['enrollments.csv:12']).toMatch(new RegExp(`^1,J,2016-2017,2016-10-01,vo,10AA,,havo,z+… \\[cut: ${tenMegabytes.length + 41} bytes\\]$`));
    expect(statSync(summary.rejectsFile!).size).toBeLessThan(4096);

    expect(await events('A')).toEqual(['LearnerRegistered', 'BackgroundRecorded', 'Placed']);
    // B's learner row was refused: only the enrolment landed.
    for (const id of ['B', 'E', 'K', 'L']) expect(await events(id), id).toEqual(['Placed']);
    for (const id of ['C', 'D', 'F', 'G', 'H', 'I', 'J']) expect(await events(id), id).toEqual([]);
    const placed = async (id: string) => (await store.readStream(learnerStream(id)))[0]!.data as { enrolment: { level: { code: string }; grade: number; programme: string | null } };
    expect((await placed('B')).enrolment).toMatchObject({ level: { code: 'havo/vwo' }, grade: 3, programme: 'Natuur, "Techniek"' });
    expect((await placed('L')).enrolment).toMatchObject({ grade: 2 });
  });

  it('refuses a 0-byte file as having no header row, naming it', async () => {
    const dir = delivery({ 'enrollments.csv': '' });
    await expect(run(dir)).rejects.toThrow(/enrollments\.csv: no header row \(the file is empty\)/);
  });

  it('refuses duplicate column names, naming the file and the column', async () => {
    const dir = delivery({ 'enrollments.csv': 'learner_id,school_year,reference_date,sector,institution,level,grade,Level\nA,2016-2017,2016-10-01,vo,10AA,havo,1,vwo\n' });
    await expect(run(dir)).rejects.toThrow(/enrollments\.csv: duplicate column name\(s\) 'level'/);
  });
});
