import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { readCsvChunks } from '../src/csv.js';
import { adviceRow, areaRow, diplomaRow, enrolmentRow, institutionRow, learnerRow, rejectedRow, type Row } from '../src/rows.js';

const source = { system: 'import', file: 'test.csv', line: 2 };
const enrolment = (over: Partial<Record<string, string>> = {}): Row => ({
  learner_id: 'L1', school_year: '2016-2017', reference_date: '2016-10-01', sector: 'vo', institution: '10AA', branch: '', level: 'havo', grade: '3', programme: '', track: '', ...over,
});
const verdict = <T>(e: E.Either<{ code: string; message: string }, T>): string | T => (E.isLeft(e) ? `${e.left.code}: ${e.left.message}` : e.right);

describe('grades', () => {
  it('takes whole numbers written in digits, leading zeros allowed', () => {
    for (const [written, grade] of [['3', 3], ['03', 3], ['003', 3], ['1', 1], ['05', 5]] as const) {
      const r = enrolmentRow(enrolment({ grade: written }), source);
      expect(E.isRight(r) ? r.right.fact.grade : r.left.message, written).toBe(grade);
    }
  });

  it("refuses '3.0' and every other way of writing a number that is not plain digits", () => {
    for (const written of ['3.0', '3e0', '+3', '-3', '0x3', '3.5', '3 0', 'III', '³']) {
      expect(verdict(enrolmentRow(enrolment({ grade: written }), source))).toBe(`invalid-value: grade '${written}' is not a whole number`);
    }
  });

  it("reads ' 3 ' as 3: the reader trims surrounding spaces before any validator sees the value", async () => {
    const header = 'learner_id,school_year,reference_date,sector,institution,level,grade';
    const chunks = [Buffer.from(`${header}\nL1,2016-2017,2016-10-01,vo,10AA,havo, 3 \nL2,2016-2017,2016-10-01,vo,10AA,havo," 03 "\n`)];
    const grades: unknown[] = [];
    for await (const r of readCsvChunks(chunks, 'e.csv', [])) {
      const parsed = enrolmentRow(r.values, source);
      grades.push(E.isRight(parsed) ? parsed.right.fact.grade : parsed.left.message);
    }
    expect(grades).toEqual([3, 3]);
  });

  it('still checks the range after reading the digits', () => {
    expect(verdict(enrolmentRow(enrolment({ grade: '06' }), source))).toBe('grade-out-of-range: grade 6 is outside 1-5 for vo havo');
    expect(verdict(enrolmentRow(enrolment({ grade: '0' }), source))).toMatch(/^grade-out-of-range/);
  });
});

describe('dates', () => {
  it('refuses dates that do not exist, and takes 29 February only in a leap year', () => {
    expect(verdict(enrolmentRow(enrolment({ school_year: '2014-2015', reference_date: '2015-02-30' }), source))).toBe("invalid-value: reference_date: not a date like 2016-10-01: '2015-02-30'");
    expect(verdict(enrolmentRow(enrolment({ school_year: '2014-2015', reference_date: '2015-02-29' }), source))).toMatch(/^invalid-value/);
    const leap = enrolmentRow(enrolment({ school_year: '2015-2016', reference_date: '2016-02-29' }), source);
    expect(E.isRight(leap) && leap.right.fact.referenceDate).toBe('2016-02-29');
  });
});

describe('level codes ignore case and spaces', () => {
  const vo = [[' HAVO / VWO ', 'havo/vwo'], ['Vmbo-T', 'vmbo-t'], ['vmbo - k / t', 'vmbo-k/t'], ['G Y M N A S I U M', 'vwo']] as const;
  it.each(vo)('enrolment level %j is %s', (written, code) => {
    const r = enrolmentRow(enrolment({ level: written }), source);
    expect(E.isRight(r) ? r.right.fact.level.code : r.left.message).toBe(code);
  });

  it.each([['mbo', ' MBO - 4 ', 'mbo-4'], ['hbo', 'Hbo - Ba', 'hbo-ba'], ['wo', 'W O - M A', 'wo-ma']] as const)('%s level %j is %s', (sector, written, code) => {
    const r = enrolmentRow(enrolment({ sector, level: written, grade: '1' }), source);
    expect(E.isRight(r) ? r.right.fact.level.code : r.left.message).toBe(code);
  });

  it('in advice and diplomas too', () => {
    const advice = adviceRow({ learner_id: 'L1', school_year: '2011-2012', issued_on: '2012-03-01', po_school: '01PO', kind: 'Final', level: ' Havo / VWO ', test_score: '' }, source);
    expect(E.isRight(advice) ? advice.right.fact.level.code : advice.left.message).toBe('havo/vwo');
    const diploma = diplomaRow({ learner_id: 'L1', school_year: '2015-2016', awarded_on: '2016-07-01', institution: '10AA', level: ' VMBO - T ', programme: '' }, source);
    expect(E.isRight(diploma) ? diploma.right.fact.level : diploma.left.message).toBe('vmbo-t');
  });

  it('an unknown code stays unknown however it is spaced', () => {
    expect(verdict(enrolmentRow(enrolment({ level: 'h o v o' }), source))).toMatch(/^unknown-level/);
    expect(verdict(diplomaRow({ learner_id: 'L1', school_year: '2015-2016', awarded_on: '2016-07-01', institution: '10AA', level: 'mbo 5', programme: '' }, source))).toMatch(/^unknown-level/);
  });
});

describe('a record the reader refused', () => {
  it('is refused by every validator with the reader\'s reason, so it cannot land by mistake', () => {
    const reject = { code: 'malformed-record', message: 'unbalanced quote' } as const;
    const row = rejectedRow(reject, 'L1,"2016');
    const results = [
      enrolmentRow(row, source), adviceRow(row, source), diplomaRow(row, source), learnerRow(row, source), areaRow(row), institutionRow(row),
    ];
    expect(results.map((r) => (E.isLeft(r) ? r.left : 'accepted'))).toEqual(Array(6).fill(reject));
    expect(Object.keys(row)).toEqual([]);
  });
});
