/**
 * The encoder alone, as the import's derive threads run it: a log's events
 * (the first `--events`, default 800,000) are read once, then packed for
 * appending (AppendPacker: each event encoded into the packed columns)
 * `--rounds` times, a learner's events as one append, in the store's
 * batches of 10,000:
 *   pnpm tsx scripts/bench/pack-once.ts DB [--events N] [--rounds R]
 * Prints each round's milliseconds and a digest of what the first round
 * packed, so that a faster encoder is shown to pack the very same columns.
 * A whole import varies more between runs than the encoder's share of it.
 */
import { createHash } from 'node:crypto';
import type { StreamAppend } from '@leerroutes/event-store';
import { AppendPacker, openSqliteEventStore, transferOf, type PackedAppends } from '@leerroutes/event-store/sqlite';
import { appendsOf } from './appends.js';

const args = process.argv.slice(2);
const flag = (n: string, d: number) => { const i = args.indexOf(`--${n}`); return i >= 0 ? Number(args.splice(i, 2)[1]) : d; };
const wanted = flag('events', 800_000);
const rounds = flag('rounds', 5);
const db = args[0];
if (!db) throw new Error('usage: pack-once.ts DB [--events N] [--rounds R]');

const batches: StreamAppend[][] = [];
const store = openSqliteEventStore({ path: db });
let read = 0;
for await (const batch of store.readAll({ batchSize: 10_000 })) {
  batches.push(appendsOf(batch));
  if ((read += batch.length) >= wanted) break;
}
await store.close();

const digest = createHash('sha256');
const absorb = (p: PackedAppends) => {
  digest.update(JSON.stringify([p.streams, p.expected, p.strings]));
  for (const buffer of transferOf(p)) digest.update(new Uint8Array(buffer));
};
const ms: number[] = [];
for (let round = 0; round < rounds; round++) {
  const t0 = performance.now();
  for (const appends of batches) {
    const packer = new AppendPacker();
    for (const a of appends) packer.add(a);
    const packed = packer.finish();
    if (round === 0) absorb(packed);
  }
  ms.push(Math.round(performance.now() - t0));
}
console.log(JSON.stringify({ events: read, rounds: ms, digest: digest.digest('hex').slice(0, 16) }));
