import type { Position, ReadAllOptions, RecordedEvent } from './port.js';
import { DEFAULT_BATCH_SIZE } from './polling-subscription.js';

/** One page of the log: events with position in (after, until], at most `limit`, in position order. */
export type PageReader = (after: Position, limit: number, until: Position) => Promise<RecordedEvent[]> | RecordedEvent[];

/**
 * readAll of every store: page after page from `opts.after` up to
 * `opts.until`. A page shorter than the limit is the last, which saves the
 * empty read at the end.
 */
export async function* readPages(read: PageReader, opts: ReadAllOptions = {}): AsyncGenerator<RecordedEvent[]> {
  const limit = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  const until = opts.until ?? Number.MAX_SAFE_INTEGER;
  let after = opts.after ?? 0;
  for (;;) {
    const page = await read(after, limit, until);
    if (page.length === 0) return;
    yield page;
    if (page.length < limit) return;
    after = page[page.length - 1]!.position;
  }
}
