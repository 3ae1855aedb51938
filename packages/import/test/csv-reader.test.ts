import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse as csvParse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvHeaderError, MAX_RECORD_BYTES, readCsv, readCsvChunks, type CsvRecord } from '../src/csv.js';

type Input = string | Buffer | readonly (string | Buffer)[];
const chunksOf = (input: Input): Buffer[] =>
  (typeof input === 'string' || Buffer.isBuffer(input) ? [input] : input).map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c));

async function records(input: Input, required: readonly string[] = ['a', 'b']): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  for await (const r of readCsvChunks(chunksOf(input), 'test.csv', required)) out.push(r);
  return out;
}

/** Each record as `line: {values}` or `line: code`, the shape most tests compare. */
async function outcomes(input: Input, required?: readonly string[]): Promise<string[]> {
  return (await records(input, required)).map((r) => (r.reject ? `${r.line}: ${r.reject.code}` : `${r.line}: ${JSON.stringify(r.values)}`));
}

async function headerError(input: Input, required?: readonly string[]): Promise<string> {
  try {
    await records(input, required);
  } catch (err) {
    if (err instanceof CsvHeaderError) return err.message;
    throw err;
  }
  throw new Error('no CsvHeaderError');
}

describe('readCsv: line endings, BOM, blank lines', () => {
  it('accepts LF, CRLF and lone CR in one file and numbers lines as they are', async () => {
    expect(await outcomes('a,b\n1,2\r\n3,4\r5,6\n7,8')).toEqual(['2: {"a":"1","b":"2"}', '3: {"a":"3","b":"4"}', '4: {"a":"5","b":"6"}', '5: {"a":"7","b":"8"}']);
  });

  it('reads CRLF split across two chunks as one line break', async () => {
    expect(await outcomes(['a,b\r', '\n1,2\r', '\n3,4\r', '5,6'])).toEqual(['2: {"a":"1","b":"2"}', '3: {"a":"3","b":"4"}', '4: {"a":"5","b":"6"}']);
  });

  it('ignores a UTF-8 BOM, and blank lines count as lines but are no records', async () => {
    expect(await outcomes('\uFEFFa,b\r\n\r\n1,2\r\n   \r\n\t\r\n3,4\r\n\r\n')).toEqual(['3: {"a":"1","b":"2"}', '6: {"a":"3","b":"4"}']);
  });

  it('strips the BOM before the first cell is parsed, so a quoted first column name is read', async () => {
    expect(await outcomes('\uFEFF"a",b\n1,2\n')).toEqual(['2: {"a":"1","b":"2"}']);
  });

  it('finds the header after leading blank lines', async () => {
    expect(await outcomes('\n\na,b\n1,2\n')).toEqual(['4: {"a":"1","b":"2"}']);
  });
});

describe('readCsv: cells', () => {
  it('trims surrounding spaces and tabs, quoted or not, and keeps commas and doubled quotes inside quotes', async () => {
    expect(await outcomes('a,b\n  1\t, " x, ""y"" " \n"",   ""\n')).toEqual(['2: {"a":"1","b":"x, \\"y\\""}', '3: {"a":"","b":""}']);
  });

  it('keeps a tab inside a value', async () => {
    expect(await outcomes('a,b\n1,x\ty\n')).toEqual(['2: {"a":"1","b":"x\\ty"}']);
  });

  it('reads columns by name whatever their order or case, and ignores unknown and unnamed columns', async () => {
    const rs = await records(' B ,Extra,,A\n2,e,u,1\n');
    expect(rs).toEqual([{ line: 2, values: { b: '2', extra: 'e', a: '1' } }]);
  });

  it('rejects a row with more or fewer cells than the header, saying how many', async () => {
    const rs = await records('a,b\n1,2,3\n1\n1,2\n1,2,\n');
    expect(rs.map((r) => [r.line, r.reject?.code, r.reject?.message])).toEqual([
      [2, 'wrong-column-count', 'row has 3 cells, header has 2'],
      [3, 'wrong-column-count', 'row has 1 cell, header has 2'],
      [4, undefined, undefined],
      [5, 'wrong-column-count', 'row has 3 cells, header has 2'],
    ]);
  });
});

describe('readCsv: malformed records cost their own line only', () => {
  it('rejects an unbalanced quote at its line and reads the next lines', async () => {
    const rs = await records('a,b\n1,"2\n3,4\n5,"6"\n7,"8,\n9,10\n');
    expect(rs.map((r) => (r.reject ? `${r.line}: ${r.reject.code}: ${r.reject.message}` : `${r.line}: ok`))).toEqual([
      '2: malformed-record: unbalanced quote: the quote opening cell 2 is not closed on this line',
      '3: ok', '4: ok',
      '5: malformed-record: unbalanced quote: the quote opening cell 2 is not closed on this line',
      '6: ok',
    ]);
    expect(rs[0]!.raw).toBe('1,"2');
  });

  it('rejects a quote inside an unquoted cell and text after a closing quote', async () => {
    const rs = await records('a,b\n1,5" floppy\n"1"x,2\n3,4\n');
    expect(rs.map((r) => [r.line, r.reject?.code])).toEqual([[2, 'malformed-record'], [3, 'malformed-record'], [4, undefined]]);
    expect(rs[0]!.reject!.message).toMatch(/quote inside unquoted cell 2/);
    expect(rs[1]!.reject!.message).toMatch(/unexpected "x" after the closing quote of cell 1/);
  });

  it('splits a quoted line break into two malformed lines instead of swallowing what follows', async () => {
    expect(await outcomes('a,b\n1,"x\ny"\n3,4\n')).toEqual(['2: malformed-record', '3: malformed-record', '4: {"a":"3","b":"4"}']);
    expect(await outcomes('a,b\r1,"x\ry"\r3,4\r')).toEqual(['2: malformed-record', '3: malformed-record', '4: {"a":"3","b":"4"}']);
  });

  it('rejects a C0 control character other than tab, naming the column', async () => {
    const rs = await records('a,b\n1,x\u0000y\n\u001b[31m,2\n"\u000b",2\n1,2\n');
    expect(rs.map((r) => [r.line, r.reject?.code, r.reject?.message])).toEqual([
      [2, 'invalid-value', "column 'b' contains a control character (U+0000)"],
      [3, 'invalid-value', "column 'a' contains a control character (U+001B)"],
      [4, 'invalid-value', "column 'a' contains a control character (U+000B)"],
      [5, undefined, undefined],
    ]);
  });
});

describe('readCsv: encoding', () => {
  const bad: Record<string, number[]> = {
    'lone continuation byte': [0x80],
    'lead byte without continuation': [0xc3, 0x28],
    'truncated three-byte sequence': [0xe2, 0x82],
    'overlong slash': [0xc0, 0xaf],
    'encoded surrogate': [0xed, 0xa0, 0x80],
    'above U+10FFFF': [0xf4, 0x90, 0x80, 0x80],
    'byte 0xff': [0xff],
    'Latin-1 e-acute': [0xe9],
  };
  for (const [what, bytes] of Object.entries(bad)) {
    it(`rejects a record holding a ${what} and keeps the rest of the file`, async () => {
      const rs = await records([Buffer.from('a,b\n1,x'), Buffer.from(bytes), Buffer.from('y\n2,\u00e9\u20ac\u{1F600}\n')]);
      expect(rs.map((r) => [r.line, r.reject?.code])).toEqual([[2, 'invalid-encoding'], [3, undefined]]);
      expect(rs[0]!.reject!.message).toMatch(/^line is not valid UTF-8 at byte 4 of the line/);
      expect(rs[1]!.values).toEqual({ a: '2', b: '\u00e9\u20ac\u{1F600}' });
    });
  }

  it('reads a character split across chunks', async () => {
    const text = Buffer.from('a,b\n1,\u{1F600}\u00e9\n');
    for (let cutAt = 1; cutAt < text.length; cutAt++) {
      expect(await outcomes([text.subarray(0, cutAt), text.subarray(cutAt)])).toEqual(['2: {"a":"1","b":"\u{1F600}\u00e9"}']);
    }
  });
});

describe('readCsv: record size', () => {
  it('reads a line of exactly the limit and rejects one byte more, then goes on', async () => {
    const prefix = '1,';
    const fits = prefix + 'x'.repeat(MAX_RECORD_BYTES - prefix.length);
    const rs = await records(`a,b\n${fits}\n${fits}y\n3,4\n`);
    expect(rs.map((r) => [r.line, r.reject?.code])).toEqual([[2, undefined], [3, 'record-too-large'], [4, undefined]]);
    expect(rs[1]!.reject!.message).toBe(`line is ${MAX_RECORD_BYTES + 1} bytes long; the limit is ${MAX_RECORD_BYTES} bytes`);
    expect(rs[1]!.raw).toMatch(/^1,xxx+… \[cut: 65537 bytes\]$/);
    expect(rs[1]!.raw!.length).toBeLessThanOrEqual(200);
  });

  it('rejects a 10 MB field arriving in small chunks without holding it', async () => {
    const field = Buffer.alloc(10 * 1024 * 1024, 'z');
    const chunks: Buffer[] = [Buffer.from('a,b\n1,2\n3,"')];
    for (let i = 0; i < field.length; i += 65_000) chunks.push(field.subarray(i, i + 65_000));
    chunks.push(Buffer.from('"\r\n5,6\n'));
    const rs = await records(chunks);
    expect(rs.map((r) => [r.line, r.reject?.code])).toEqual([[2, undefined], [3, 'record-too-large'], [4, undefined]]);
    expect(rs[1]!.raw).toMatch(new RegExp(`^3,"z+… \\[cut: ${field.length + 4} bytes\\]$`));
  });
});

describe('readCsv: header problems throw CsvHeaderError naming the file', () => {
  it('an empty file has no header row', async () => {
    expect(await headerError('')).toBe('test.csv: no header row (the file is empty)');
    expect(await headerError('\n\r\n  \n')).toBe('test.csv: no header row (the file holds only blank lines)');
    expect(await headerError('\uFEFF')).toMatch(/^test\.csv: no header row/);
  });

  it('a header-only file has no records and is no error', async () => {
    expect(await records('a,b')).toEqual([]);
    expect(await records('\uFEFFa,b\r\n\r\n')).toEqual([]);
  });

  it('duplicate column names, however written, are refused', async () => {
    expect(await headerError('a,b, B \n1,2,3\n')).toBe("test.csv: duplicate column name(s) 'b' in the header row (line 1); which one holds the values?");
  });

  it('missing required columns are named', async () => {
    expect(await headerError('a,c\n1,2\n', ['a', 'b', 'd'])).toBe('test.csv: missing column(s) b, d (the header row, line 1, has a, c)');
  });

  it('a malformed, undecodable or over-long header row is refused', async () => {
    expect(await headerError('a,"b\n1,2\n')).toMatch(/^test\.csv: the header row \(line 1\) is malformed: unbalanced quote/);
    expect(await headerError(Buffer.from('\uFEFFa,b\n', 'utf16le'))).toMatch(/^test\.csv: the header row \(line 1\) is not valid UTF-8 .*\(is the file UTF-16\?\)$/);
    expect(await headerError(`a,${'b'.repeat(MAX_RECORD_BYTES)}\n1,2\n`)).toMatch(/^test\.csv: the header row \(line 1\) is 65538 bytes long/);
  });
});

describe('readCsv on a file', () => {
  const root = mkdtempSync(join(tmpdir(), 'leerroutes-csv-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('streams the file and reports the bytes read, ending with the total', async () => {
    const path = join(root, 'f.csv');
    const body = 'a,b\n' + Array.from({ length: 12_000 }, (_, i) => `${i},x`).join('\n') + '\n';
    writeFileSync(path, body);
    const progress: [number, number][] = [];
    let n = 0;
    for await (const r of readCsv(path, ['a'], (bytes, total) => progress.push([bytes, total]))) if (!r.reject) n++;
    expect(n).toBe(12_000);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.at(-1)).toEqual([body.length, body.length]);
  });

  it('names the file in a header error', async () => {
    const path = join(root, 'empty.csv');
    writeFileSync(path, '');
    await expect(async () => { for await (const _ of readCsv(path, ['a'])) void _; }).rejects.toThrow(new CsvHeaderError(`${path}: no header row (the file is empty)`));
  });
});

// Bytes that make CSV interesting, with ordinary text among them.
const hostileByte = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...'ab1 ,'.split('').map((c) => [c.charCodeAt(0)])) },
  { weight: 2, arbitrary: fc.constantFrom([0x22], [0x0a], [0x0d], [0x0d, 0x0a], [0x09]) },
  { weight: 1, arbitrary: fc.constantFrom([0xc3, 0xa9], [0xe2, 0x82, 0xac], [0xf0, 0x9f, 0x98, 0x80], [0xef, 0xbb, 0xbf], [0xff], [0x80], [0xc3], [0x00], [0x1b]) },
);
const hostileFile = fc.array(hostileByte, { maxLength: 400 }).map((parts) => Buffer.from(parts.flat()));
const splits = (buf: Buffer, cuts: number[]): Buffer[] => {
  const at = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((x, y) => x - y);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of [...at, buf.length]) {
    out.push(buf.subarray(prev, c));
    prev = c;
  }
  return out;
};

describe('readCsv on random bytes (fast-check)', () => {
  it('yields one record per non-blank line after the header, the same whatever the chunking, and throws nothing but CsvHeaderError', async () => {
    await fc.assert(
      fc.asyncProperty(hostileFile, fc.array(fc.nat(), { maxLength: 12 }), async (buf, cuts) => {
        const run = async (chunks: Buffer[]) => {
          try {
            const out: CsvRecord[] = [];
            for await (const r of readCsvChunks(chunks, 'x.csv', [])) out.push(r);
            return out;
          } catch (err) {
            if (err instanceof CsvHeaderError) return err.message;
            throw err;
          }
        };
        const whole = await run([buf]);
        expect(await run(splits(buf, cuts))).toEqual(whole);
        expect(await run([...buf].map((b) => Buffer.from([b])))).toEqual(whole);
        // Independently: the physical lines (LF, CRLF, lone CR) that hold more than spaces and tabs.
        const lines = buf.toString('latin1').replace(/^\u00ef\u00bb\u00bf/, '').split(/\r\n|\r|\n/);
        const filled = lines.map((l, i) => ({ line: i + 1, blank: /^[ \t]*$/.test(l) })).filter((l) => !l.blank).map((l) => l.line);
        if (typeof whole === 'string') {
          expect(whole).toMatch(/^x\.csv: (no header row|the header row|duplicate column)/);
          if (/^x\.csv: no header row/.test(whole)) expect(filled).toEqual([]);
        } else {
          expect(whole.map((r) => r.line)).toEqual(filled.slice(1));
          for (const r of whole) {
            if (r.reject) expect(r.reject.message.length).toBeGreaterThan(0);
            else expect(Object.values(r.values).every((v) => typeof v === 'string' && !/[\x00-\x08\x0a-\x1f]/.test(v))).toBe(true);
          }
        }
      }),
      { seed: 4_2024, numRuns: 400 },
    );
  });
});

// Well-formed CSV: both parsers must agree on it.
const cellText = fc.string({ unit: fc.constantFrom('a', 'B', '1', ' ', ',', '"', '\u00e9', '\u20ac', '-', '/'), maxLength: 12 }).map((s) => s.trim());
const renderCell = (v: string, quote: boolean, pad: string) => (quote || /[",]/.test(v) ? `${pad}"${v.replace(/"/g, '""')}"${pad}` : `${pad}${v}${pad}`);

describe('readCsv agrees with csv-parse on well-formed files (fast-check)', () => {
  it('same values, same lines', async () => {
    const file = fc.record({
      width: fc.integer({ min: 1, max: 6 }),
      eol: fc.constantFrom('\n', '\r\n', '\r'),
      bom: fc.boolean(),
      rows: fc.array(fc.array(fc.tuple(cellText, fc.boolean(), fc.constantFrom('', ' ', '  ')), { minLength: 6, maxLength: 6 }), { maxLength: 20 }),
      blankAfter: fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
    });
    await fc.assert(
      fc.asyncProperty(file, async ({ width, eol, bom, rows, blankAfter }) => {
        const header = Array.from({ length: width }, (_, i) => `c${i}`);
        const lines = [header.join(',')];
        rows.forEach((cells, i) => {
          lines.push(cells.slice(0, width).map(([v, q, pad]) => renderCell(v, q, pad)).join(','));
          if (blankAfter[i]) lines.push('');
        });
        const text = (bom ? '\uFEFF' : '') + lines.join(eol) + eol;
        const theirs = (csvParse(text, { bom: true, columns: true, trim: true, skip_empty_lines: true, info: true, record_delimiter: eol }) as { record: Record<string, string>; info: { lines: number } }[])
          .map(({ record, info }) => ({ line: info.lines, values: record }));
        expect(await records(text, [])).toEqual(theirs);
      }),
      { seed: 7_2024, numRuns: 300 },
    );
  });
});
