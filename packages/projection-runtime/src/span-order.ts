/**
 * The order in which a rebuild hands out its spans (prepare-span.ts) to the
 * worker threads and to the writer's own thread. They are written in log
 * order whoever folds them; only when each is folded is chosen here.
 */

/**
 * Spans that must remain, in log order, beyond one this thread takes: its
 * fold of a span started late would otherwise be the last thing the rebuild
 * waits for.
 */
export const LOCAL_TAIL = 2;

/**
 * The spans of the log's last batch of positions are folded first, by the
 * writer's own thread, where it has nothing else to do: at the start, while
 * the worker thread starts and folds the first span. The log's last events
 * are its latest delivery, and a learner is folded whole in the span holding
 * the learner's last event: the last spans of a log with a corrected
 * delivery hold few positions but whole histories, each read again from the
 * log. Folded last, in log order, they were the end of every rebuild: at
 * 110,000 learners the worker folded the last three (1,000 positions each)
 * in 0.7 s, one after the other, while the writer waited with nothing to
 * write. Folded first, they wait to be written beside the others
 * (READY_BYTES counts them).
 */
export function firstOfLast(plan: readonly { start: number; end: number }[], until: number, batchSize: number): number {
  const k = plan.findIndex((s) => s.start >= until - batchSize);
  return k < 0 ? plan.length : k;
}

/**
 * Which span goes next, to a worker or to this thread: workers take the
 * spans in log order and then any of the last spans (from `lastFrom`) this
 * thread has not taken; this thread takes the last spans first, then spans
 * in log order short of the LOCAL_TAIL before them.
 */
export class SpanOrder {
  private inOrder = 0;
  private last: number;

  constructor(private readonly spans: number, private readonly lastFrom: number = spans) {
    if (lastFrom < 0 || lastFrom > spans) throw new Error(`the last spans begin at ${lastFrom}, outside 0..${spans}`);
    this.last = lastFrom;
  }

  /** The span a worker would take next, or null when every span is handed out. */
  forWorker(): number | null {
    if (this.inOrder < this.lastFrom) return this.inOrder;
    return this.last < this.spans ? this.last : null;
  }

  /** The span this thread would take next, or null when it is to take none. */
  forLocal(): number | null {
    if (this.last < this.spans) return this.last;
    return this.inOrder < this.lastFrom - LOCAL_TAIL ? this.inOrder : null;
  }

  /** Hand out a span that forWorker or forLocal gave. */
  take(index: number): void {
    if (index === this.inOrder && index < this.lastFrom) this.inOrder++;
    else if (index === this.last && index < this.spans) this.last++;
    else throw new Error(`span ${index} is not one to hand out next`);
  }
}
