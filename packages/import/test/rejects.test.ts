import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as csvParse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { cut, MESSAGE_LIMIT, RAW_LIMIT, RejectsWriter } from '../src/rejects.js';
import { rejectedRow } from '../src/rows.js';

const root = mkdtempSync(join(tmpdir(), 'leerroutes-rejects-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `r${++n}`, 'rejects.csv');

/** The rejects file as records of its five columns. */
const rowsOf = (path: string): string[][] => (csvParse(readFileSync(path), { relax_quotes: false }) as string[][]).slice(1);

describe('cut', () => {
  it('leaves a value of up to the limit alone and cuts a longer one, saying how long it was', () => {
    expect(cut('x'.repeat(RAW_LIMIT))).toBe('x'.repeat(RAW_LIMIT));
    const long = 'y'.repeat(52_428_800);
    const c = cut(long);
    expect(c).toMatch(/^y+… \[cut: 52428800 characters\]$/);
    expect(c.length).toBe(RAW_LIMIT);
  });

  it('says bytes when only the start of a longer value is at hand, and is not cut again', () => {
    const c = cut('z'.repeat(800), RAW_LIMIT, 10_485_764, 'bytes');
    expect(c).toMatch(/^z+… \[cut: 10485764 bytes\]$/);
    expect(cut(c)).toBe(c);
  });

  it('does not split a surrogate pair', () => {
    const c = cut('\u{1F600}'.repeat(300));
    expect(c).toMatch(/^(\u{1F600})+… \[cut: 600 characters\]$/u);
  });
});

describe('RejectsWriter', () => {
  it('creates no file without rejects', async () => {
    const path = fresh();
    const w = new RejectsWriter(path);
    expect(w.flush()).toBe(0);
    await w.close();
    expect(existsSync(path)).toBe(false);
  });

  it('writes file, line, reason, message and the raw row; flush() returns the bytes on disk', async () => {
    const path = fresh();
    const w = new RejectsWriter(path);
    w.write('enrollments.csv', 3, { code: 'unknown-level', message: "unknown level code 'hovo'" }, { learner_id: 'B', level: 'hovo' });
    const first = w.flush();
    expect(first).toBe(statSync(path).size);
    w.write('enrollments.csv', 7, { code: 'malformed-record', message: 'unbalanced quote' }, rejectedRow({ code: 'malformed-record', message: 'unbalanced quote' }, 'C,"x'));
    w.write('advice.csv', 2, { code: 'invalid-encoding', message: 'not UTF-8' }, 'D,\uFFFD');
    const second = w.flush();
    expect(second).toBe(statSync(path).size);
    expect(second).toBeGreaterThan(first);
    await w.close();
    expect(rowsOf(path)).toEqual([
      ['enrollments.csv', '3', 'unknown-level', "unknown level code 'hovo'", '{"learner_id":"B","level":"hovo"}'],
      ['enrollments.csv', '7', 'malformed-record', 'unbalanced quote', '"C,\\"x"'],
      ['advice.csv', '2', 'invalid-encoding', 'not UTF-8', '"D,\uFFFD"'],
    ]);
    expect({ count: w.count, byCode: w.byCode, byFile: w.byFile }).toEqual({
      count: 3, byCode: { 'unknown-level': 1, 'malformed-record': 1, 'invalid-encoding': 1 }, byFile: { 'enrollments.csv': 2, 'advice.csv': 1 },
    });
  });

  it('cuts long raw values and messages, and keeps one reject per line whatever a message holds', async () => {
    const path = fresh();
    const w = new RejectsWriter(path);
    const huge = 'h'.repeat(5000);
    w.write('e.csv', 2, { code: 'unknown-level', message: `unknown level code '${huge}'` }, { level: huge, grade: '1' });
    w.write('e.csv', 3, { code: 'invalid-value', message: 'line\nbreak\rand\u0000nul' }, { a: 'b' });
    await w.close();
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines).toHaveLength(4); // header, two rejects, and the empty string after the last '\n'
    const [first, second] = rowsOf(path);
    expect(first![3]!.length).toBe(MESSAGE_LIMIT);
    expect(first![3]).toMatch(/… \[cut: 5021 characters\]$/);
    expect(JSON.parse(first![4]!)).toEqual({ level: cut(huge), grade: '1' });
    expect(JSON.parse(first![4]!).level).toMatch(/… \[cut: 5000 characters\]$/);
    expect(second![3]).toBe('line\\u000abreak\\u000dand\\u0000nul');
    expect(statSync(path).size).toBeLessThan(1200);
  });

  it('resume() cuts back to a flushed offset, recounts what it keeps and appends after it', async () => {
    const path = fresh();
    const w = new RejectsWriter(path);
    w.write('learners.csv', 2, { code: 'bsn-shaped-id', message: 'bsn' }, { learner_id: '111222333' });
    w.write('a,b.csv', 3, { code: 'missing-value', message: 'learner_id is empty' }, { learner_id: '' });
    w.write('enrollments.csv', 4, { code: 'missing-value', message: 'grade is empty' }, { grade: '' });
    const committed = w.flush();
    // A batch that never committed: written and even flushed, then the process died.
    w.write('enrollments.csv', 9, { code: 'unknown-level', message: 'lost' }, { level: 'x' });
    w.flush();
    w.write('enrollments.csv', 10, { code: 'unknown-level', message: 'lost too' }, { level: 'y' });
    expect(statSync(path).size).toBeGreaterThan(committed);

    const again = RejectsWriter.resume(path, committed);
    expect({ count: again.count, byCode: again.byCode, byFile: again.byFile }).toEqual({
      count: 3, byCode: { 'bsn-shaped-id': 1, 'missing-value': 2 }, byFile: { 'learners.csv': 1, 'a,b.csv': 1, 'enrollments.csv': 1 },
    });
    expect(statSync(path).size).toBe(committed);
    again.write('enrollments.csv', 9, { code: 'grade-out-of-range', message: 'redone' }, { grade: '9' });
    expect(again.flush()).toBe(statSync(path).size);
    await again.close();
    expect(rowsOf(path).map((r) => `${r[0]}:${r[1]}:${r[2]}`)).toEqual([
      'learners.csv:2:bsn-shaped-id', 'a,b.csv:3:missing-value', 'enrollments.csv:4:missing-value', 'enrollments.csv:9:grade-out-of-range',
    ]);
    expect(again.count).toBe(4);
  });

  it('resume() recounts a file larger than its read buffer', async () => {
    const path = fresh();
    const w = new RejectsWriter(path);
    const codes = ['unknown-level', 'grade-out-of-range', 'missing-value'] as const;
    for (let i = 0; i < 12_000; i++) w.write('enrollments.csv', i + 2, { code: codes[i % 3]!, message: `reject ${i} ${'é'.repeat(i % 50)}` }, { learner_id: `L${i}`, pad: 'p'.repeat(i % 97) });
    const offset = w.flush();
    await w.close();
    expect(offset).toBeGreaterThan(1 << 20);
    const again = RejectsWriter.resume(path, offset);
    expect({ count: again.count, byCode: again.byCode }).toEqual({ count: 12_000, byCode: { 'unknown-level': 4000, 'grade-out-of-range': 4000, 'missing-value': 4000 } });
    await again.close();
  });

  it('resume(path, 0) removes what an earlier run left: none of it was committed', async () => {
    const path = fresh();
    const w = new RejectsWriter(path);
    w.write('e.csv', 2, { code: 'unknown-level', message: 'stale' }, { level: 'x' });
    await w.close();
    const again = RejectsWriter.resume(path, 0);
    expect(existsSync(path)).toBe(false);
    expect(again.count).toBe(0);
    again.write('e.csv', 5, { code: 'missing-value', message: 'new' }, { a: '' });
    await again.close();
    expect(rowsOf(path).map((r) => r[1])).toEqual(['5']);
  });

  it('refuses to resume at an offset that no flush() returned', async () => {
    const path = fresh();
    const w = new RejectsWriter(path);
    w.write('e.csv', 2, { code: 'unknown-level', message: 'm' }, { level: 'x' });
    const offset = w.flush();
    await w.close();
    expect(() => RejectsWriter.resume(path, offset - 3)).toThrow(/does not end a line of rejects/);
    expect(() => RejectsWriter.resume(path, offset + 10)).toThrow(/fewer than the .* bytes an earlier run made durable/);
    writeFileSync(path, 'something else\n');
    expect(() => RejectsWriter.resume(path, 15)).toThrow(/does not start with a rejects header/);
    expect(() => RejectsWriter.resume(join(root, 'absent.csv'), 10)).toThrow(/ENOENT/);
  });
});
