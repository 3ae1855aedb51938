import type { EventStore } from '@leerroutes/event-store';
import type { Checkpoint } from './checkpoints.js';
import { ViewsMismatchError } from './views-damage.js';

/**
 * Whether views were made from this log. A position means something only in
 * the log it was read from: views made from a log that was since restored
 * from an earlier copy, or views used with another log, would go on from
 * their checkpoints, keeping events this log does not hold and skipping the
 * ones it got at those positions, without a word. So each checkpoint also
 * names the event at its position (written in the same transaction), and
 * every session, catch-up and report first asks the log whether it holds
 * that event there.
 *
 * Throws ViewsMismatchError unless, for each checkpoint that names an event,
 * the log holds that event at its position, or once held it and erased it
 * since (erasure leaves a gap at a position the log has handed out). A
 * checkpoint that names none (at 0, or written before checkpoints named
 * their event) is taken as it is.
 */
export async function checkAnchors(store: EventStore, checkpoints: Iterable<Checkpoint | null | undefined>, where: string): Promise<void> {
  const anchors = new Map<number, string>();
  for (const cp of checkpoints) if (cp && cp.eventId !== null && cp.position > 0) anchors.set(cp.position, cp.eventId);
  for (const [position, eventId] of anchors) {
    let found: string | undefined;
    for await (const batch of store.readAll({ after: position - 1, until: position, batchSize: 1, metadata: false })) {
      for (const e of batch) if (e.position === position) found = e.eventId;
    }
    if (found === eventId) continue;
    if (found !== undefined) {
      throw new ViewsMismatchError(where, `they read event ${eventId} at position ${position}, where the log holds event ${found}`);
    }
    const handedOut = await store.positionsHandedOut();
    if (handedOut >= position) continue;
    throw new ViewsMismatchError(where, `they have read the log up to position ${position}, which the log has never reached (it ends at ${handedOut})`);
  }
}
