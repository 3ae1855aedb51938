/**
 * Hostile input, fuzzed: well-formed enrolment rows, each possibly mutated in
 * one hostile way, in files with random line endings, BOMs, blank lines,
 * column orders, extra columns and chunk boundaries. Every record must come
 * out either accepted with the values the generator intended or rejected at
 * its own line with the reason the mutation calls for; nothing but a header
 * problem may throw.
 */
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { looksLikeBsn } from '@leerroutes/domain';
import { describe, expect, it } from 'vitest';
import { CsvHeaderError, MAX_RECORD_BYTES, readCsvChunks } from '../src/csv.js';
import { enrolmentRow } from '../src/rows.js';
import { RAW_LIMIT } from '../src/rejects.js';

const FILE = 'enrollments.csv';
const REQUIRED = ['learner_id', 'school_year', 'reference_date', 'sector', 'institution', 'level', 'grade'] as const;
const OPTIONAL = ['branch', 'programme', 'track'] as const;
const EXTRAS = ['note', 'x_extra', 'opmerking'] as const;
type Column = (typeof REQUIRED)[number] | (typeof OPTIONAL)[number] | (typeof EXTRAS)[number];

/** A level as written, what it must normalise to, and the highest grade it allows. */
interface Level { readonly sector: 'vo' | 'mbo'; readonly input: string; readonly code: string; readonly max: number }
const LEVELS: readonly Level[] = [
  { sector: 'vo', input: 'havo', code: 'havo', max: 5 },
  { sector: 'vo', input: ' HAVO / VWO ', code: 'havo/vwo', max: 6 },
  { sector: 'vo', input: 'Vwo/Havo', code: 'havo/vwo', max: 6 },
  { sector: 'vo', input: 'VMBO-T', code: 'vmbo-t', max: 4 },
  { sector: 'vo', input: 'm a v o', code: 'vmbo-t', max: 4 },
  { sector: 'vo', input: 'vmbo-k /\tt', code: 'vmbo-k/t', max: 4 },
  { sector: 'vo', input: 'Gymnasium', code: 'vwo', max: 6 },
  { sector: 'vo', input: 'pro', code: 'pro', max: 6 },
  { sector: 'vo', input: 'vmbo-b', code: 'vmbo-b', max: 4 },
  { sector: 'mbo', input: 'MBO-4', code: 'mbo-4', max: 4 },
  { sector: 'mbo', input: 'mbo - 2', code: 'mbo-2', max: 4 },
  { sector: 'mbo', input: 'Entree', code: 'mbo-1', max: 4 },
];

interface Intended {
  readonly learnerId: string; readonly schoolYear: string; readonly referenceDate: string; readonly sector: string; readonly institution: string;
  readonly branch: string | null; readonly level: string; readonly grade: number; readonly programme: string | null; readonly track: string | null;
}

/** A good row: the cell contents by column, and the fact they must become. */
interface GoodRow { readonly cells: Record<Column, string>; readonly intended: Intended; readonly year: number; readonly level: Level }

const text = (chars: string, maxLength: number) => fc.string({ unit: fc.constantFrom(...[...chars]), maxLength }).map((s) => s.trim());

const goodRow: fc.Arbitrary<GoodRow> = fc.record({
  id: fc.stringMatching(/^L[A-Za-z0-9_-]{0,20}$/),
  year: fc.integer({ min: 2005, max: 2023 }),
  day: fc.constantFrom('10-01', '08-01', '12-31', 'next:07-31', 'next:02-28'),
  level: fc.constantFrom(...LEVELS),
  sectorCase: fc.constantFrom<(s: string) => string>((s) => s, (s) => s.toUpperCase(), (s) => s[0]!.toUpperCase() + s.slice(1)),
  institution: fc.stringMatching(/^[0-9]{2}[A-Z]{2}$/),
  branch: fc.oneof(fc.constant(''), fc.stringMatching(/^[0-9]{2}$/)),
  grade: fc.nat(),
  gradeZeros: fc.constantFrom('', '', '0', '00'),
  programme: text('ab ,"\u00e9\u20ac\u{1F600}-/', 16),
  track: fc.constantFrom('', 'bol', 'BBL', 'Bol'),
  extra: text('xyz 1,"', 8),
}).map((g) => {
  const grade = 1 + (g.grade % g.level.max);
  const [y1, md] = g.day.startsWith('next:') ? [g.year + 1, g.day.slice(5)] : [g.year, g.day];
  const track = g.level.sector === 'mbo' ? g.track : '';
  const cells: Record<Column, string> = {
    learner_id: g.id, school_year: `${g.year}-${g.year + 1}`, reference_date: `${y1}-${md}`, sector: g.sectorCase(g.level.sector),
    institution: g.institution, branch: g.branch, level: g.level.input, grade: g.gradeZeros + String(grade), programme: g.programme, track,
    note: g.extra, x_extra: g.extra, opmerking: g.extra,
  };
  const intended: Intended = {
    learnerId: g.id, schoolYear: `${g.year}-${g.year + 1}`, referenceDate: `${y1}-${md}`, sector: g.level.sector, institution: g.institution,
    branch: g.branch || null, level: g.level.code, grade, programme: g.programme || null, track: track ? track.toLowerCase() : null,
  };
  return { cells, intended, year: g.year, level: g.level };
});

/** What the reader or validator must say about a record. */
type Expected = { readonly line: number; readonly fact: Intended } | { readonly line: number; readonly code: string; readonly message?: string | RegExp; readonly raw?: string | RegExp };

const CONTROL_CHARS = [...Array.from({ length: 9 }, (_, i) => i), 0x0b, 0x0c, ...Array.from({ length: 18 }, (_, i) => 0x0e + i)];
const BAD_UTF8: readonly number[][] = [[0x80], [0xc3], [0xe2, 0x82], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xff], [0xfe], [0xe9], [0xf8, 0x88, 0x80, 0x80, 0x80]];

/** A mutation: either of the row's contents (a validator must catch it) or of its line (the reader must). */
const mutation = fc.oneof(
  { weight: 30, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('encoding' as const), bytes: fc.constantFrom(...BAD_UTF8), at: fc.nat() }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('control' as const), char: fc.constantFrom(...CONTROL_CHARS), column: fc.nat(), at: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('extra-cell' as const), value: text('ab1', 4) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('missing-cell' as const), column: fc.nat() }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('odd-quote' as const), at: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('line-break-in-quotes' as const), column: fc.nat(), at: fc.nat(), brk: fc.constantFrom('\n', '\r', '\r\n') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('too-large' as const), extra: fc.nat({ max: 5000 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('grade-not-whole' as const), form: fc.constantFrom('.0', 'e0', '+', '-', '0x', '.5', ',0', ' 0') }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('grade-out-of-range' as const), over: fc.integer({ min: 0, max: 5 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('invalid-date' as const), date: fc.constantFrom('next:02-30', '09-31', '11-31', '13-01', '00-10', '10-1', '/10/01', '10-01T00:00', 'next:02-29') }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('date-outside' as const), date: fc.constantFrom('next:08-01', '07-31', 'next:10-01') }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('unknown-level' as const), level: fc.constantFrom('hovo', 'havo+', 'vwo/', 'lwoo', 'mbo-5', 'h a v o x') }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('missing-value' as const), column: fc.constantFrom('learner_id', 'school_year', 'reference_date', 'sector', 'institution', 'grade'), blank: fc.constantFrom('', '   ') }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('invalid-learner-id' as const), id: fc.constantFrom('a.b', 'x'.repeat(65), '\u00e91', 'a b', 'L/1') }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('bsn-shaped-id' as const), id: fc.constantFrom('111222333', '123456782') }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('invalid-value' as const), column: fc.constantFrom('sector', 'school_year'), value: fc.constantFrom('v o', 'vo2', '2016/2017', '16-17') }) },
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Deterministic choices while rendering, from a seed fast-check drew. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function renderCell(value: string, rnd: () => number, forceQuote = false): string {
  const pad = () => ['', '', ' ', '  ', '\t'][Math.floor(rnd() * 5)]!;
  if (forceQuote || /[",]/.test(value) || rnd() < 0.15) return `${pad()}"${value.replace(/"/g, '""')}"${pad()}`;
  return `${pad()}${value}${pad()}`;
}

/** Insert `piece` at a code-point boundary of `s`. */
function insertAt(s: string, at: number, piece: string): string {
  const cps = Array.from(s);
  const i = at % (cps.length + 1);
  return cps.slice(0, i).join('') + piece + cps.slice(i).join('');
}

interface RenderedRow {
  /** One or two physical lines (two when a line break is put inside quotes). */
  readonly lines: readonly Buffer[];
  readonly expected: (firstLine: number) => Expected[];
  readonly hostile: boolean;
}

/** The row in the file's column order, mutated, with what the import must make of it. */
function renderRow(row: GoodRow, columns: readonly Column[], m: Mutation, rnd: () => number): RenderedRow {
  const cells = { ...row.cells };
  const y = row.year;
  const fact = (line: number): Expected[] => [{ line, fact: factFor(row.intended, columns) }];
  const reject = (code: string, message?: string | RegExp, raw?: string | RegExp) => (line: number): Expected[] => [{ line, code, ...(message ? { message } : {}), ...(raw !== undefined ? { raw } : {}) }];
  let expected: (line: number) => Expected[] = fact;

  // Mutations of the contents: the reader passes them, a validator refuses them.
  switch (m.kind) {
    case 'grade-not-whole': {
      const g = String(row.intended.grade);
      cells.grade = m.form === '+' || m.form === '-' || m.form === '0x' ? m.form + g : m.form === ' 0' ? `${g} 0` : g + m.form;
      expected = reject('invalid-value', `grade '${cells.grade}' is not a whole number`);
      break;
    }
    case 'grade-out-of-range':
      cells.grade = m.over === 0 ? '0' : String(row.level.max + m.over);
      expected = reject('grade-out-of-range');
      break;
    case 'invalid-date': {
      const [yy, md] = m.date.startsWith('next:') ? [y + 1, m.date.slice(5)] : [y, m.date];
      cells.reference_date = md.startsWith('/') ? `${yy}${md}` : `${yy}-${md}`;
      if (m.date === 'next:02-29' && isLeap(y + 1)) {
        const intended = { ...row.intended, referenceDate: cells.reference_date };
        expected = (line) => [{ line, fact: factFor(intended, columns) }];
      } else {
        expected = reject('invalid-value', `reference_date: not a date like 2016-10-01: '${cells.reference_date}'`);
      }
      break;
    }
    case 'date-outside': {
      const [yy, md] = m.date.startsWith('next:') ? [y + 1, m.date.slice(5)] : [y, m.date];
      cells.reference_date = `${yy}-${md}`;
      expected = reject('date-outside-school-year');
      break;
    }
    case 'unknown-level':
      cells.level = m.level;
      expected = reject('unknown-level');
      break;
    case 'missing-value':
      cells[m.column] = m.blank;
      expected = reject('missing-value', `${m.column} is empty`);
      break;
    case 'invalid-learner-id':
      cells.learner_id = m.id;
      expected = reject('invalid-learner-id');
      break;
    case 'bsn-shaped-id':
      cells.learner_id = m.id;
      expected = reject('bsn-shaped-id');
      break;
    case 'invalid-value':
      cells[m.column] = m.value;
      expected = reject('invalid-value');
      break;
    case 'control': {
      const column = columns[m.column % columns.length]!;
      const ch = String.fromCharCode(m.char);
      cells[column] = insertAt(cells[column], m.at, ch);
      const hex = m.char.toString(16).toUpperCase().padStart(4, '0');
      expected = reject('invalid-value', `column '${column}' contains a control character (U+${hex})`);
      break;
    }
    case 'too-large':
      cells.learner_id = 'L' + 'y'.repeat(MAX_RECORD_BYTES + m.extra);
      break;
    default:
      break;
  }

  // Mutations of the line: the reader refuses them.
  if (m.kind === 'line-break-in-quotes') {
    const target = m.column % columns.length;
    const value = cells[columns[target]!];
    const cps = Array.from(value);
    const i = m.at % (cps.length + 1);
    const quoted = (s: string) => s.replace(/"/g, '""');
    const rendered = columns.map((c, k) => (k === target ? `"${quoted(cps.slice(0, i).join(''))}${m.brk}${quoted(cps.slice(i).join(''))}"` : renderCell(cells[c], rnd)));
    const [first, second] = rendered.join(',').split(m.brk) as [string, string];
    return {
      lines: [Buffer.from(first), Buffer.from(second)],
      expected: (line) => [{ line, code: 'malformed-record', raw: first }, { line: line + 1, code: 'malformed-record', raw: second }],
      hostile: true,
    };
  }
  let rendered = columns.map((c) => renderCell(cells[c], rnd));
  if (m.kind === 'extra-cell') {
    rendered.push(m.value);
    expected = reject('wrong-column-count', `row has ${columns.length + 1} cells, header has ${columns.length}`);
  } else if (m.kind === 'missing-cell') {
    rendered = rendered.filter((_, k) => k !== m.column % columns.length);
    expected = reject('wrong-column-count', `row has ${columns.length - 1} cells, header has ${columns.length}`);
  }
  let line = rendered.join(',');
  if (m.kind === 'odd-quote') {
    line = insertAt(line, m.at, '"');
    expected = reject('malformed-record', /quote/);
  }
  if (m.kind === 'too-large') {
    const bytes = Buffer.byteLength(line);
    expected = reject('record-too-large', `line is ${bytes} bytes long; the limit is ${MAX_RECORD_BYTES} bytes`, new RegExp(`… \\[cut: ${bytes} bytes\\]$`));
  }
  if (m.kind === 'encoding') {
    const cps = Array.from(line);
    const i = m.at % (cps.length + 1);
    return {
      lines: [Buffer.concat([Buffer.from(cps.slice(0, i).join('')), Buffer.from(m.bytes), Buffer.from(cps.slice(i).join(''))])],
      expected: reject('invalid-encoding', /^line is not valid UTF-8 at byte \d+ of the line/),
      hostile: true,
    };
  }
  // The reader's own rejects carry the line as it was written.
  const byReader = m.kind === 'control' || m.kind === 'extra-cell' || m.kind === 'missing-cell' || m.kind === 'odd-quote';
  const withRaw = (line0: number) => expected(line0).map((e) => ({ ...e, raw: line }));
  return { lines: [Buffer.from(line)], expected: byReader ? withRaw : expected, hostile: m.kind !== 'none' };
}

function factFor(intended: Intended, columns: readonly Column[]): Intended {
  return {
    ...intended,
    branch: columns.includes('branch') ? intended.branch : null,
    programme: columns.includes('programme') ? intended.programme : null,
    track: columns.includes('track') ? intended.track : null,
  };
}

const fileArb = fc.record({
  rows: fc.array(fc.tuple(goodRow, mutation), { minLength: 1, maxLength: 60, size: 'max' }),
  optional: fc.subarray([...OPTIONAL]),
  extras: fc.subarray([...EXTRAS], { maxLength: 2 }),
  order: fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
  eol: fc.constantFrom('lf', 'crlf', 'cr', 'mixed'),
  bom: fc.boolean(),
  leadingBlank: fc.nat({ max: 2 }),
  finalEol: fc.boolean(),
  seed: fc.integer(),
  cuts: fc.array(fc.nat(), { maxLength: 10 }),
});

/** Line terminators as the file mode says; a lone CR before an empty LF line would read as one CRLF, so that pair is avoided. */
type FileSpec = typeof fileArb extends fc.Arbitrary<infer F> ? F : never;
function fileBytes(f: FileSpec) {
  const rnd = prng(f.seed);
  const columns = [...REQUIRED, ...f.optional, ...f.extras].map((c, i) => ({ c, k: f.order[i] ?? 0 })).sort((a, b) => a.k - b.k).map((x) => x.c) as Column[];
  // Written in odd case and padded; read back as the plain names.
  const headerCells = columns.map((c) => renderCell(rnd() < 0.3 ? c.toUpperCase() : rnd() < 0.3 ? c[0]!.toUpperCase() + c.slice(1) : c, rnd));
  const out: Buffer[] = [];
  let prevEol = '';
  let line = 1;
  const eol = (emptyLine: boolean) => {
    let e = f.eol === 'lf' ? '\n' : f.eol === 'crlf' ? '\r\n' : f.eol === 'cr' ? '\r' : ['\n', '\r\n', '\r'][Math.floor(rnd() * 3)]!;
    // CR followed by an empty LF-terminated line is one CRLF to any reader.
    if (prevEol === '\r' && emptyLine && e.startsWith('\n')) e = '\r';
    prevEol = e;
    out.push(Buffer.from(e));
  };
  const blank = (content: string) => {
    out.push(Buffer.from(content));
    eol(content === '');
    line++;
  };
  if (f.bom) out.push(Buffer.from([0xef, 0xbb, 0xbf]));
  for (let i = 0; i < f.leadingBlank; i++) blank(rnd() < 0.5 ? '' : ' \t ');
  out.push(Buffer.from(headerCells.join(',')));
  eol(false);
  line++;
  const expected: Expected[] = [];
  let hostile = 0;
  let records = 0;
  f.rows.forEach(([row, m], i) => {
    if (rnd() < 0.1) blank(rnd() < 0.5 ? '' : '   ');
    const r = renderRow(row, columns, m, rnd);
    if (r.hostile) hostile++;
    expected.push(...r.expected(line));
    r.lines.forEach((l, k) => {
      if (k > 0) {
        // The line break put inside quotes, as the mutation chose it.
        const brk = (m as { brk: string }).brk;
        out.push(Buffer.from(brk));
        prevEol = brk;
      }
      out.push(l);
      line++;
      records++;
    });
    if (i < f.rows.length - 1 || f.finalEol) eol(false);
  });
  return { bytes: Buffer.concat(out), expected, hostile, records };
}

function chunked(buf: Buffer, cuts: readonly number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of [...at, buf.length]) {
    out.push(buf.subarray(prev, c));
    prev = c;
  }
  return out;
}

type Outcome = { readonly line: number; readonly fact: Intended } | { readonly line: number; readonly code: string; readonly message: string; readonly raw?: string };

async function importOutcomes(chunks: Buffer[]): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for await (const r of readCsvChunks(chunks, FILE, REQUIRED)) {
    if (r.reject) {
      out.push({ line: r.line, code: r.reject.code, message: r.reject.message, raw: r.raw });
      continue;
    }
    const parsed = enrolmentRow(r.values, { system: 'import', file: FILE, line: r.line });
    if (E.isLeft(parsed)) {
      out.push({ line: r.line, code: parsed.left.code, message: parsed.left.message });
      continue;
    }
    const f = parsed.right.fact;
    out.push({
      line: r.line,
      fact: {
        learnerId: parsed.right.learnerId, schoolYear: f.schoolYear, referenceDate: f.referenceDate, sector: f.sector, institution: f.institution,
        branch: f.branch, level: f.level.code, grade: f.grade!, programme: f.programme, track: f.track,
      },
    });
  }
  return out;
}

/** Expected and actual side by side, with messages and raw text matched as the expectation says. */
function check(actual: Outcome[], expected: Expected[]): void {
  const verdict = (o: Outcome | Expected) => `${o.line}: ${'fact' in o ? 'accepted' : o.code}`;
  expect(actual.map(verdict)).toEqual(expected.map(verdict));
  actual.forEach((a, i) => {
    const e = expected[i]!;
    if ('fact' in e || 'fact' in a) {
      expect(a, `line ${a.line}`).toEqual(e);
      return;
    }
    expect(a.message.length, `line ${a.line}`).toBeGreaterThan(0);
    if (typeof e.message === 'string') expect(a.message, `line ${a.line}`).toBe(e.message);
    else if (e.message) expect(a.message, `line ${a.line}`).toMatch(e.message);
    if (typeof e.raw === 'string') expect(a.raw, `line ${a.line}`).toBe(e.raw);
    else if (e.raw) {
      expect(a.raw, `line ${a.line}`).toMatch(e.raw);
      expect(a.raw!.length).toBeLessThanOrEqual(RAW_LIMIT);
    }
  });
}

describe('hostile enrolment files (fast-check, seeded)', () => {
  it('the BSN-shaped ids the generator uses pass the eleven-test', () => {
    expect(['111222333', '123456782'].every(looksLikeBsn)).toBe(true);
  });

  it('every record is accepted as intended or rejected at its line with its reason, whatever the chunking', async () => {
    let hostileRows = 0;
    await fc.assert(
      fc.asyncProperty(fileArb, async (f) => {
        const { bytes, expected, hostile, records } = fileBytes(f);
        const actual = await importOutcomes(chunked(bytes, f.cuts));
        check(actual, expected);
        // accepted + rejected = the lines of rows the generator wrote
        const accepted = actual.filter((a) => 'fact' in a).length;
        const rejected = actual.filter((a) => 'code' in a).length;
        expect(accepted + rejected).toBe(records);
        hostileRows += hostile;
      }),
      { seed: 20_240_611, numRuns: 600 },
    );
    // The issue asks for at least 10,000 malformed rows in every run of the suite.
    expect(hostileRows).toBeGreaterThanOrEqual(10_000);
  });

  const headerCase = fc.record({
    kind: fc.constantFrom('empty', 'blank-only', 'bom-only', 'duplicate', 'missing', 'header-only', 'header-quote', 'header-encoding', 'header-too-large'),
    column: fc.constantFrom(...REQUIRED),
    file: fileArb,
  });

  it('header problems throw CsvHeaderError naming the file; a header-only file has no records', async () => {
    await fc.assert(
      fc.asyncProperty(headerCase, async ({ kind, column, file }) => {
        const { bytes } = fileBytes({ ...file, bom: false, leadingBlank: 0 });
        const nl = bytes.findIndex((b) => b === 0x0a || b === 0x0d);
        const headerLine = bytes.subarray(0, nl === -1 ? bytes.length : nl).toString('utf8');
        const rest = nl === -1 ? Buffer.alloc(0) : bytes.subarray(nl);
        let input: Buffer;
        let want: RegExp | 'no records';
        switch (kind) {
          case 'empty': input = Buffer.alloc(0); want = /^enrollments\.csv: no header row \(the file is empty\)$/; break;
          case 'blank-only': input = Buffer.from('\n \r\n\t\r'); want = /^enrollments\.csv: no header row \(the file holds only blank lines\)$/; break;
          case 'bom-only': input = Buffer.from('\uFEFF\r\n'); want = /^enrollments\.csv: no header row/; break;
          case 'duplicate': input = Buffer.concat([Buffer.from(`${headerLine}, ${column.toUpperCase()} `), rest]); want = new RegExp(`^enrollments\\.csv: duplicate column name\\(s\\) '${column}'`); break;
          case 'missing': {
            const cells = headerLine.split(',').map((c) => (c.replace(/["\s]/g, '').toLowerCase() === column ? 'renamed' : c));
            input = Buffer.concat([Buffer.from(cells.join(',')), rest]);
            want = new RegExp(`^enrollments\\.csv: missing column\\(s\\) ${column} `);
            break;
          }
          case 'header-only': input = Buffer.from(`\uFEFF${headerLine}${rest.length > 0 ? '\r\n\r\n' : ''}`); want = 'no records'; break;
          case 'header-quote': input = Buffer.concat([Buffer.from(`"${headerLine}`), rest]); want = /^enrollments\.csv: the header row \(line 1\) is malformed: /; break;
          case 'header-encoding': input = Buffer.concat([Buffer.from(headerLine), Buffer.from([0xc3, 0x2c]), rest]); want = /^enrollments\.csv: the header row \(line 1\) is not valid UTF-8/; break;
          case 'header-too-large': input = Buffer.concat([Buffer.from(`${headerLine},${'n'.repeat(MAX_RECORD_BYTES)}`), rest]); want = /^enrollments\.csv: the header row \(line 1\) is \d+ bytes long/; break;
        }
        let got: string;
        try {
          const n = (await importOutcomes(chunked(input, file.cuts))).length;
          got = n === 0 ? 'no records' : `${n} records`;
        } catch (err) {
          if (!(err instanceof CsvHeaderError)) throw err;
          got = err.message;
        }
        if (want === 'no records') expect(got).toBe('no records');
        else expect(got).toMatch(want);
      }),
      { seed: 20_240_612, numRuns: 300 },
    );
  });
});
