/**
 * A delivery's files are read, validated and turned into ledger rows in an
 * import worker while the calling thread applies the rows (the default), or
 * all in the calling thread (deriveInThread: false). The log, the ledger and
 * the rejects file must not tell which, for rows, rejects of the reader and of
 * the validators, and a conflicting duplicate whose raw values are read again
 * from its line; and a worker that dies while reading fails the import in a
 * way the same command resumes from.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { postgresForTests } from '@leerroutes/event-store/test-support/postgres';
import { REGISTRATION_FILES } from '../src/files.js';
import { importDirectory, type ImportOptions, type ImportProgress } from '../src/index.js';
import { recordAt, readCsvBatches } from '../src/csv.js';
import { startThreadRead } from '../src/read-thread.js';
import { stripesOf } from '../src/read-stripes.js';
import { startImportWorker } from '../src/worker.js';
import { describeEachStore, HEADERS, row, workspace, type Workspace } from './fixtures.js';

/** Every import worker started, so that a test can stop them as a crash would. */
const started = vi.hoisted(() => [] as Worker[]);
vi.mock('node:worker_threads', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:worker_threads')>();
  class Tracked extends real.Worker {
    constructor(...args: ConstructorParameters<typeof real.Worker>) {
      super(...args);
      started.push(this);
    }
  }
  return { ...real, Worker: Tracked };
});

const pg = await postgresForTests();

const learners = Array.from({ length: 12 }, (_, i) => `L${String(i).padStart(3, '0')}`);
const enrolments = learners.flatMap((id) => [row(id, 2012, 'vo', '10AA', 'havo', 1), row(id, 2013, 'vo', '10AA', 'havo', 2)]);

/**
 * Files with a BOM, CRLF and lone-CR line breaks and blank lines (so that a
 * line's offset is not simply counted), rejects of the reader (cell count,
 * quotes, encoding) and of the validators, identical repeats and a
 * conflicting duplicate far from the line it conflicts with (in another
 * chunk and another ledger batch).
 */
function writeDelivery(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const enrollments = [
    HEADERS['enrollments.csv'], '',
    ...enrolments.slice(0, 10),
    row('L000', 2012, 'vo', '10AA', 'hovo', 1), // unknown level
    'L001,2012-2013,2012-10-01,vo,10AA', // wrong cell count
    'L002,2012-2013,2012-10-01,"vo,10AA,,havo,1,,', // unbalanced quote
    ...enrolments.slice(10),
    row('L003', 2012, 'vo', '10AA', 'havo', 1), // identical repeat
    '   ',
    row('L004', 2012, 'vo', '10AA', 'vwo', 1), // same key as an earlier line, other content
    `${row('L005', 2013, 'vo', '10AA', 'vwo', 2)}  `, // conflicting, with trailing spaces in its raw line
  ];
  writeFileSync(join(dir, 'enrollments.csv'), Buffer.concat([
    Buffer.from('\uFEFF' + enrollments.slice(0, 8).join('\r\n') + '\r\n'),
    Buffer.from([0x4c, 0x30, 0x30, 0x36, 0x2c, 0xff, 0xfe, 0x0a]), // not UTF-8
    Buffer.from(enrollments.slice(8).join('\r') + '\r'),
  ]));
  writeFileSync(join(dir, 'learners.csv'), [HEADERS['learners.csv'], ...learners.map((id, i) => `${id},2000-0${1 + (i % 9)},${i % 2 ? 'f' : 'm'},2011-08-01,0,middle,none,RDAM`), 'L001,2000-13,m,2011-08-01,0,middle,none,RDAM'].join('\n'));
  writeFileSync(join(dir, 'advice.csv'), [HEADERS['advice.csv'], ...learners.map((id) => `${id},2011-2012,2012-03-01,01PO,final,havo,`), 'L002,2011-2012,2012-03-01,01PO,final,vwo,'].join('\n') + '\n');
  writeFileSync(join(dir, 'areas.csv'), [HEADERS['areas.csv'], 'NL,Nederland,', 'RDAM,Rotterdam,NL', 'RDAM,Rotterdam,NL'].join('\n') + '\n');
}

async function log(ws: Workspace): Promise<string[]> {
  const lines: string[] = [];
  for await (const batch of ws.store.readAll()) for (const e of batch) lines.push(JSON.stringify([e.position, e.stream, e.revision, e.eventId, e.type, e.schemaVersion, e.occurredOn, e.knownAt, e.data, e.metadata]));
  return lines;
}

describe('a record read again by its offset', () => {
  it('is the record the reader read, whatever the line breaks and chunk boundaries', async () => {
    const root = mkdtempSync(join(tmpdir(), 'leerroutes-read-'));
    try {
      writeDelivery(root);
      const path = join(root, 'enrollments.csv');
      const bytes = readFileSync(path);
      const required = REGISTRATION_FILES.find((f) => f.name === 'enrollments.csv')!.required;
      for (const size of [1, 7, 64, 1 << 20]) {
        const chunks = Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
        let header = null;
        let seen = 0;
        for await (const batch of readCsvBatches(chunks, path, required)) {
          header ??= batch.header;
          batch.records.forEach((r, i) => {
            seen++;
            expect(recordAt(path, required, header!, { line: r.line, offset: batch.offsets[i]! })).toEqual(r);
          });
        }
        expect(seen).toBe(enrolments.length + 7);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describeEachStore('reading in an import worker', pg, (kind) => {
  const open: Workspace[] = [];
  afterEach(async () => { for (const ws of open.splice(0)) await ws.close(); });
  let files: string;
  beforeAll(() => {
    files = mkdtempSync(join(tmpdir(), 'leerroutes-deliveries-'));
    writeDelivery(join(files, 'd1'));
  });
  afterAll(() => rmSync(files, { recursive: true, force: true }));

  it('gives the log, ledger and rejects file of reading in the calling thread', async () => {
    const runs: { log: string[]; ledger: string; rejects: string; rejected: number }[] = [];
    // Chunks of a few bytes (lines cut anywhere, many chunks ahead) and of a whole file; batches of a few rows; the
    // files read whole, or in stripes of a line or a few by two or three workers (a cut only after a LF: the part
    // with lone CRs is one stripe).
    const modes = [[false, 16, undefined], [true, 16, undefined], [true, 1 << 20, undefined], [false, 1 << 20, undefined], [true, 16, 40], [true, 1 << 20, 150], [true, 7, 1]] as const;
    for (const [deriveInThread, readChunkBytes, stripeBytes] of modes) {
      const ws = await workspace(kind);
      open.push(ws);
      const striped = stripeBytes === undefined ? {} : { stripeBytes, deriveWorkers: stripeBytes === 1 ? 3 : 2 };
      const s = await ws.import(join(files, 'd1'), { knownAt: '2014-11-01', batchRows: 3, deriveInThread, readChunkBytes, ...striped });
      const ledger = (await (await ws.ledger()).dump()).replace(/"[0-9a-f]{40}"/g, '"<fingerprint>"');
      runs.push({ log: await log(ws), ledger, rejects: readFileSync(s.rejectsFile!, 'utf8'), rejected: s.rejected });
    }
    expect(runs[0]!.rejects).toMatch(/enrollments\.csv,33,duplicate-key,.*""learner_id"":""L004"".*""level"":""vwo""/);
    expect(runs[0]!.rejects).toMatch(/enrollments\.csv,34,duplicate-key,.*""learner_id"":""L005"".*""level"":""vwo""/);
    expect(runs[0]!.rejects).toMatch(/advice\.csv,14,duplicate-key,.*""learner_id"":""L002""/);
    expect(runs[0]!.rejects).toMatch(/enrollments\.csv,9,invalid-encoding/);
    expect(runs[0]!.rejected).toBe(8);
    for (const run of runs.slice(1)) {
      expect(run.rejects).toBe(runs[0]!.rejects);
      expect(run.log).toEqual(runs[0]!.log);
      expect(run.ledger).toBe(runs[0]!.ledger);
    }
  });

  it('fails the import when the reading worker dies, and the same command then finishes it', async () => {
    // Enough records for progress to be told in the middle of the file (every 5000), most of them identical repeats.
    const dir = join(files, 'big');
    mkdirSync(dir, { recursive: true });
    const lines = [row('L000', 2012, 'vo', '10AA', 'hovo', 1), ...Array.from({ length: 700 }, () => enrolments).flat(), row('L001', 2012, 'vo', '10AA', 'vwo', 1)];
    writeFileSync(join(dir, 'enrollments.csv'), [HEADERS['enrollments.csv'], ...lines].join('\n') + '\n');
    writeFileSync(join(dir, 'areas.csv'), [HEADERS['areas.csv'], 'NL,Nederland,'].join('\n') + '\n');
    // Read whole by one worker, and in stripes by two (the resumed run reads the rest whole).
    for (const striped of [{}, { stripeBytes: 8192, deriveWorkers: 2 }]) {
      const options: Partial<ImportOptions> = { knownAt: '2014-11-01', batchRows: 500, readChunkBytes: 4096, ...striped };

      const reference = await workspace(kind);
      open.push(reference);
      const whole = await reference.import(dir, options);

      const ws = await workspace(kind);
      open.push(ws);
      let killed = false;
      started.length = 0;
      const onProgress = (p: ImportProgress) => {
        // Half way, so that batches were committed before (a striped read tells its progress at each stripe's end).
        if (killed || p.phase !== 'read' || p.file !== 'enrollments.csv' || p.bytes < p.totalBytes / 2 || p.bytes === p.totalBytes) return;
        killed = true;
        for (const w of started) void w.terminate();
      };
      await expect(ws.import(dir, { ...options, onProgress })).rejects.toThrow(/the import worker reading enrollments\.csv failed .*run the import again/);
      expect(killed).toBe(true);
      const stopped = await (await ws.ledger()).unfinished();
      expect(stopped?.state).toBe('reading');
      expect((await (await ws.ledger()).fileProgressAll(stopped!.id)).find((f) => f.file === 'enrollments.csv')?.recordsDone).toBeGreaterThan(0);

      const resumed = await ws.import(dir, options);
      expect(resumed.resumed).toBe(true);
      expect(resumed.files).toEqual(whole.files);
      expect(readFileSync(resumed.rejectsFile!, 'utf8')).toBe(readFileSync(whole.rejectsFile!, 'utf8'));
      expect(await log(ws)).toEqual(await log(reference));
      const dump = async (w: Workspace) => (await (await w.ledger()).dump()).replace(/"[0-9a-f]{40}"/g, '"<fingerprint>"').replaceAll(w.root, '<root>');
      expect(await dump(ws)).toBe(await dump(reference));
    }
  });
});

describe('a read the worker cannot do', () => {
  it('fails with what went wrong in the worker', async () => {
    const worker = startImportWorker();
    try {
      const file = REGISTRATION_FILES.find((f) => f.name === 'enrollments.csv')!;
      const read = async () => { for await (const _ of startThreadRead(worker, file, join(tmpdir(), 'no-such-delivery', 'enrollments.csv'), 0).items()) { /* nothing */ } };
      await expect(read()).rejects.toThrow(/enrollments\.csv could not be read: .*ENOENT/);
    } finally {
      await worker.terminate();
    }
  });
});

describe('the stripes of a large file', () => {
  it('cover the file end to end, each cut just after a LF, each later one read behind the header line', () => {
    const root = mkdtempSync(join(tmpdir(), 'leerroutes-stripes-'));
    try {
      const path = join(root, 'enrollments.csv');
      // CR LF, lone CRs (no cut can fall among them) and LF.
      const text = `\uFEFF${HEADERS['enrollments.csv']}\r\n${enrolments.join('\r\n')}\r${enrolments.join('\r')}\r${enrolments.join('\n')}\n`;
      writeFileSync(path, text);
      const bytes = readFileSync(path);
      const layout = stripesOf(path, 100)!;
      expect(layout.header.toString()).toBe(`\uFEFF${HEADERS['enrollments.csv']}\n`);
      expect(layout.parts[0]!.start).toBe(0);
      expect(layout.parts[layout.parts.length - 1]!.end).toBe(bytes.length);
      layout.parts.forEach((p, i) => {
        expect(p.header === null).toBe(i === 0);
        if (i > 0) {
          expect(p.start).toBe(layout.parts[i - 1]!.end);
          expect(bytes[p.start - 1]).toBe(0x0a);
        }
      });
      // No cut among the lone CRs.
      const crStart = bytes.indexOf(`${enrolments.join('\r\n')}\r`) + Buffer.byteLength(`${enrolments.join('\r\n')}\r`);
      const crEnd = crStart + Buffer.byteLength(`${enrolments.join('\r')}\r`);
      expect(layout.parts.some((p) => p.start > crStart && p.start < crEnd)).toBe(false);
      expect(layout.parts.length).toBeGreaterThan(5);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('are not made of a small file, or of one whose first line is not its header', () => {
    const root = mkdtempSync(join(tmpdir(), 'leerroutes-stripes-'));
    try {
      const path = join(root, 'enrollments.csv');
      writeFileSync(path, [HEADERS['enrollments.csv'], ...enrolments].join('\n'));
      expect(stripesOf(path, 1 << 20)).toBeNull();
      writeFileSync(path, ['  ', HEADERS['enrollments.csv'], ...enrolments].join('\n'));
      expect(stripesOf(path, 100)).toBeNull();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
