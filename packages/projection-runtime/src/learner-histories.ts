import { learnerIdOfStream } from '@leerroutes/domain';
import type { RecordedEvent } from '@leerroutes/event-store';
import type { ProjectionContext } from './projection.js';

export interface LearnerHistory {
  readonly learnerId: string;
  /** Every event of the learner's stream up to the batch's last position, in revision order. */
  readonly events: readonly RecordedEvent[];
  /**
   * True when an earlier batch may have written this learner, so what the
   * views hold of it is to be replaced: its stream began before this batch,
   * outside a fresh pass (ProjectionContext.fresh).
   */
  readonly replaces: boolean;
}

/**
 * For per-learner folds that start from scratch (valid-time order, Retracted,
 * late corrections for earlier dates): the full history of every learner the
 * batch touches. A batch that starts a stream already holds its whole prefix;
 * otherwise the stream is re-read from the log, cut at the batch's last
 * position so a rebuild sees exactly what an incremental run saw. Memory stays
 * bounded by the batch.
 *
 * A learner whose stream already goes on past this batch in the log is left
 * out: a later batch of the same run (or the next catch-up) folds the whole
 * stream anyway. After yearly imports a learner's events are spread over the
 * log; without this, a rebuild would fold and write each learner once per year.
 */
export async function learnerHistories(batch: readonly RecordedEvent[], ctx: Pick<ProjectionContext, 'store' | 'until' | 'fresh'>): Promise<LearnerHistory[]> {
  const touched = new Map<string, RecordedEvent[]>();
  for (const e of batch) {
    const learnerId = learnerIdOfStream(e.stream);
    if (learnerId === null) continue;
    const events = touched.get(learnerId);
    if (events) events.push(e);
    else touched.set(learnerId, [e]);
  }
  const out: LearnerHistory[] = [];
  const revisions = await ctx.store.streamRevisions([...touched.values()].map((events) => events[0]!.stream));
  for (const [learnerId, events] of touched) {
    const first = events[0]!;
    const last = events[events.length - 1]!;
    const revision = revisions.get(first.stream);
    if (revision !== undefined && revision > last.revision) continue;
    if (first.revision === 0) {
      out.push({ learnerId, events, replaces: false });
      continue;
    }
    const stream = await ctx.store.readStream(first.stream);
    out.push({ learnerId, events: stream.filter((e) => e.position <= ctx.until), replaces: ctx.fresh !== true });
  }
  return out;
}
