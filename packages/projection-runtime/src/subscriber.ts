import type { Subscription } from '@leerroutes/event-store';
import { catchUp, liveTargets, type RunOptions } from './catch-up.js';
import type { Projection } from './projection.js';
import { applyBatch, DEFAULT_BATCH_SIZE } from './runner.js';

/**
 * Keep projections current while the process runs: catch up (rebuilding what
 * needs it), then follow the log with a catch-up subscription from the lowest
 * checkpoint. Batches are applied like any other, so an inline catch-up after
 * an import may run alongside: whoever comes second skips what is done.
 */
export function startSubscriber(options: RunOptions & {
  readonly projections: readonly Projection[];
  readonly pollIntervalMs?: number;
  /** Called when applying a batch failed; the subscription then stops (done rejects). */
  readonly onError?: (err: unknown) => void;
}): Subscription {
  const { store, views, projections } = options;
  let stopped = false;
  let subscription: Subscription | null = null;
  const started = (async () => {
    await catchUp(options);
    if (stopped) return;
    const targets = await liveTargets(views, projections);
    let after = Math.min(...targets.map((t) => t.position));
    subscription = store.subscribeToAll(
      async (batch) => {
        try {
          await applyBatch(views, store, targets, batch, after);
          if (batch.length > 0) after = batch[batch.length - 1]!.position;
        } catch (err) {
          options.onError?.(err);
          throw err;
        }
      },
      { after, batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE, pollIntervalMs: options.pollIntervalMs },
    );
  })();
  return {
    done: started.then(() => subscription?.done),
    async caughtUp() {
      await started;
      await subscription?.caughtUp();
    },
    async stop() {
      stopped = true;
      await started.catch(() => undefined);
      await subscription?.stop();
    },
  };
}
