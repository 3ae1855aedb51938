/**
 * The SQLite ledger takes a batch's rows of one kind INSERT_CHUNK at a time
 * in one multi-row insert, then settles each row's outcome in order. That
 * must be exactly the row-at-a-time upsert: same outcomes, same ledger, same
 * learners marked, with keys that collide within a chunk, across chunks and
 * with an earlier delivery, equal or other content, and kinds interleaved.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteEventStore } from '@leerroutes/event-store/sqlite';
import { sqliteImportLedger } from '../src/ledger/sqlite.js';
import { INSERT_CHUNK } from '../src/ledger/sqlite-ledger.js';
import type { FactRow, FileProgress, RowOutcome } from '../src/ledger/port.js';

const progress = (): FileProgress => ({
  file: 'enrollments.csv', rows: 0, accepted: 0, rejected: 0, inserted: 0, changed: 0, unchanged: 0, repeated: 0, recordsDone: 0, rejectsBytes: 0, rejectsByCode: {}, done: false,
});

/**
 * Rows of few learners, dates and contents, so that keys and contents repeat;
 * lines distinct within a delivery. With `blocks`, the kind alternates every
 * 70 rows: chunks of one kind, and rows left over that go one at a time.
 */
const rows = (blocks: boolean) => fc.array(
  fc.record({ learner: fc.integer({ min: 0, max: 40 }), date: fc.integer({ min: 0, max: 3 }), content: fc.constantFrom('a', 'b') }),
  { minLength: INSERT_CHUNK, maxLength: 4 * INSERT_CHUNK, size: 'max' },
).map((rs) => rs.map((r, i): FactRow => {
  const fact = blocks && Math.floor(i / 70) % 2 === 1 ? 'learner' : 'enrolment';
  return { kind: 'fact', fact, learnerId: `L${r.learner}`, key: [fact === 'enrolment' ? `201${r.date}-10-01` : `201${r.date}-08-01`], content: r.content, line: i + 2 };
}));

/** Two deliveries applied in batches of the given sizes; what came out of each row, and the ledger after. */
async function apply(deliveries: readonly FactRow[][], batch: number): Promise<{ outcomes: RowOutcome[][]; dump: string }> {
  const root = mkdtempSync(join(tmpdir(), 'leerroutes-chunks-'));
  const store = openSqliteEventStore({ path: join(root, 'log.sqlite') });
  try {
    const ledger = sqliteImportLedger(store);
    const outcomes: RowOutcome[][] = [];
    for (const [d, delivered] of deliveries.entries()) {
      const delivery = await ledger.startDelivery(`/d${d}`, 'f', '2020-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z');
      const out: RowOutcome[] = [];
      for (let i = 0; i < delivered.length; i += batch) {
        const part = delivered.slice(i, i + batch);
        await ledger.applyRows(delivery.id, part, (j, o) => { out[i + j] = o; }, progress);
      }
      outcomes.push(out);
    }
    return { outcomes, dump: await ledger.dump() };
  } finally {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  }
}

describe('the ledger\'s multi-row inserts', () => {
  it('give the outcomes and the ledger of upserting one row at a time', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean().chain((blocks) => fc.tuple(rows(blocks), rows(blocks))), async ([first, second]) => {
        const chunked = await apply([first, second], 5000);
        const single = await apply([first, second], 1);
        // Collisions of every kind happen: repeats and conflicts within the first delivery, unchanged and changed in the second.
        expect(new Set(chunked.outcomes.flat().map((o) => (typeof o === 'object' ? 'conflict' : o))).size).toBeGreaterThan(2);
        expect(chunked.outcomes).toEqual(single.outcomes);
        expect(chunked.dump).toBe(single.dump);
      }),
      { numRuns: 40, seed: 20261203 },
    );
  });

  it('takes a chunk of rows that are all new in one statement, and still marks each learner', async () => {
    const many: FactRow[] = Array.from({ length: 3 * INSERT_CHUNK }, (_, i) => ({ kind: 'fact', fact: 'enrolment', learnerId: `L${Math.floor(i / 3)}`, key: [`201${i % 3}-10-01`], content: 'x', line: i + 2 }));
    const { outcomes, dump } = await apply([many], 5000);
    expect(outcomes[0]).toEqual(many.map(() => 'inserted'));
    expect(dump.split('\n').filter((l) => l.startsWith('[1,"L')).length).toBe(INSERT_CHUNK);
  });
});
