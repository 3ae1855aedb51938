/**
 * One span of the log read and prepared for every projection that has not
 * reached it: what a rebuild's worker thread does with each span it is given,
 * and what the writer's own thread does with a span while it would otherwise
 * wait (rebuild-thread.ts). A span's prepare depends only on the log, never on
 * what other spans prepared, so it may be folded in either thread.
 */
import type { EventStore, RecordedEvent } from '@leerroutes/event-store';
import { nextTurn } from '@leerroutes/threads/next-turn';
import { freshTargets, preparesInSlices, slicedPrepare, type Projection } from './projection.js';
import type { ReadRange, RebuildThreadSetup } from './rebuild-thread.js';

/** A projection and the position it had when the rebuild began (it prepares only spans past that). */
export interface SpanTarget {
  readonly projection: Projection;
  readonly position: number;
}

/** A span as prepared: how many events it held, its first and last positions (and the last event's id), and each projection's prepared value. */
export interface SpanPrepared {
  readonly count: number;
  readonly first: number;
  readonly last: number;
  /** Null for a span without events. */
  readonly lastId: string | null;
  readonly prepared: [string, unknown][];
}

/**
 * Read the positions after `start` up to `end` and prepare them, in slices of
 * `sliceSize` where every projection can prepare a batch in slices
 * (Projection.combine or prepareInSlices). A span without events gives a
 * count of 0 and nothing prepared.
 */
export async function prepareSpan(store: EventStore, targets: readonly SpanTarget[], start: number, end: number, sliceSize: number): Promise<SpanPrepared> {
  const slice = targets.every((t) => preparesInSlices(t.projection)) ? Math.min(sliceSize, end - start) : end - start;
  // A batch's preparers; one that was given no slice has nothing for the writer.
  const preparers = targets.map(({ projection }) => ({ name: projection.name, preparer: slicedPrepare(projection), added: false }));
  // A rebuild's pass reads the log up to the head it found before it began.
  const fresh = freshTargets(targets);
  let count = 0;
  let first: number | undefined;
  let last: RecordedEvent | undefined;
  for (let from = start; from < end; from += slice) {
    const events: RecordedEvent[] = [];
    // Projections fold payloads, never metadata (Projection.prepare): it is not decoded.
    for await (const part of store.readAll({ after: from, until: Math.min(from + slice, end), batchSize: slice, metadata: false })) for (const e of part) events.push(e);
    // One turn of the event loop per slice: in the writer's thread, the workers' messages and the writes go on
    // between slices instead of waiting for the whole span (reading and folding run in promise jobs only).
    await nextTurn();
    const sliceLast = events[events.length - 1];
    if (!sliceLast) continue;
    first ??= events[0]!.position;
    last = sliceLast;
    count += events.length;
    for (let k = 0; k < targets.length; k++) {
      if (targets[k]!.position >= sliceLast.position) continue;
      const p = preparers[k]!;
      await p.preparer.add(events, { store, until: sliceLast.position, fresh: fresh.has(p.name) });
      p.added = true;
    }
  }
  return { count, first: first ?? start + 1, last: last?.position ?? end, lastId: last?.eventId ?? null, prepared: preparers.filter((p) => p.added).map((p) => [p.name, p.preparer.finish()]) };
}

/**
 * Spans shrink towards the end of the range, each at most a quarter of the
 * positions left (guided scheduling, as OpenMP's `schedule(guided)`): the
 * rebuild waits for whichever thread folds the last span, so the last ones
 * must be short. The re-delivered learners of a correction are folded in
 * the log's last spans (a learner is folded in the span that holds their
 * last event), each with a whole history and more than one knowledge date:
 * with fixed spans of 20,000 positions the last span of a 110,000-learner
 * log took 880 ms to fold against about 170 ms for any other, and those of
 * the national log 5.5 and 2.9 s, while the writer waited (0.9-1.9 s of the
 * 110k rebuild, 7.7-11.5 s of the national one; 0.1-0.6 and 0.7 s with
 * these spans). The smallest is a slice, which a worker reads at once anyway.
 */
const GUIDED_SHARE = 4;

/** The positions of each span of a range, in order: after `start`, up to `end`. */
export function spansOf(range: ReadRange): readonly { start: number; end: number }[] {
  const known = plans.get(range);
  if (known) return known;
  const smallest = Math.min(range.sliceSize ?? range.batchSize, range.batchSize);
  const spans: { start: number; end: number }[] = [];
  for (let start = range.after; start < range.until;) {
    const size = Math.max(smallest, Math.min(range.batchSize, Math.ceil((range.until - start) / GUIDED_SHARE)));
    const end = Math.min(start + size, range.until);
    spans.push({ start, end });
    start = end;
  }
  plans.set(range, spans);
  return spans;
}

const plans = new WeakMap<ReadRange, readonly { start: number; end: number }[]>();

/** A rebuild source opened for the range's projections: what prepareSpan reads and folds with. */
export interface SpanSource {
  readonly store: EventStore;
  readonly targets: readonly SpanTarget[];
  close(): Promise<void>;
}

/**
 * Open a rebuild source module's log and projections (`openRebuildSource(data)`)
 * and find the range's projections in it, by name; the same for a worker and
 * for the writer's own folds.
 */
export async function openSpanSource(imported: unknown, module: string, data: unknown, range: ReadRange): Promise<SpanSource> {
  const setup = imported as { openRebuildSource?: (data: unknown) => Promise<RebuildThreadSetup> };
  if (typeof setup.openRebuildSource !== 'function') throw new Error(`${module} exports no openRebuildSource(data)`);
  const { store, projections, close } = await setup.openRebuildSource(data);
  const byName = new Map(projections.map((p) => [p.name, p]));
  const targets: SpanTarget[] = [];
  for (const t of range.targets) {
    const projection = byName.get(t.name);
    if (!projection?.prepare) {
      await close?.();
      throw new Error(`the rebuild's source has no projection '${t.name}' with a prepare`);
    }
    targets.push({ projection, position: t.position });
  }
  return { store, targets, close: async () => { await close?.(); } };
}

