import type { Position, RecordedEvent, SubscribeOptions, Subscription } from './port.js';

/** What a polling catch-up subscription needs from a store. */
export interface BatchSource {
  /** Events with position in (after, until], at most `limit`, in position order. */
  readBatch(after: Position, limit: number, until: Position): Promise<RecordedEvent[]> | RecordedEvent[];
  headPosition(): Promise<Position> | Position;
}

/** Lets the store wake sleeping subscriptions as soon as it appended, instead of waiting a poll interval. */
export interface WakeSignal {
  onWake(listener: () => void): () => void;
}

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Nobody is obliged to await caughtUp()/done; an unobserved rejection must not crash the process.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

export const DEFAULT_BATCH_SIZE = 1000;
const DEFAULT_POLL_MS = 200;

/**
 * Catch-up by polling: read a batch after the checkpoint, await the handler,
 * advance; when nothing is left, sleep until the poll interval passes or the
 * store signals an append. The checkpoint only advances after the handler
 * returned, so a failing handler never skips events.
 */
export function pollingSubscription(
  source: BatchSource,
  handler: (batch: RecordedEvent[]) => Promise<void> | void,
  options: SubscribeOptions = {},
  wake?: WakeSignal,
): Subscription {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const pollMs = options.pollIntervalMs ?? DEFAULT_POLL_MS;
  const until = options.until ?? Number.MAX_SAFE_INTEGER;
  const caught = deferred();
  let stopped = false;
  let inHandler = false;
  let interrupt: (() => void) | null = null;

  const sleep = () =>
    new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        unsubscribe?.();
        interrupt = null;
        resolve();
      };
      const timer = setTimeout(finish, pollMs);
      const unsubscribe = wake?.onWake(finish);
      interrupt = finish;
    });

  const run = async (): Promise<void> => {
    let checkpoint = options.after ?? 0;
    const target = Math.min(await source.headPosition(), until);
    if (checkpoint >= target) caught.resolve();
    while (!stopped) {
      const batch = await source.readBatch(checkpoint, batchSize, until);
      if (batch.length === 0) {
        // Nothing after the checkpoint: whatever existed at call time is handled (or was erased meanwhile).
        caught.resolve();
        // stop() may have come while the read was in flight: its interrupt found no sleep to end, so look before sleeping.
        if (checkpoint >= until || stopped) return;
        await sleep();
        continue;
      }
      inHandler = true;
      try {
        await handler(batch);
      } finally {
        inHandler = false;
      }
      checkpoint = batch[batch.length - 1]!.position;
      if (checkpoint >= target) caught.resolve();
      if (checkpoint >= until) return;
    }
  };

  const done = run().then(
    () => caught.reject(new Error('subscription stopped before it caught up')),
    (err: unknown) => {
      caught.reject(err);
      throw err;
    },
  );
  done.catch(() => undefined);

  return {
    done,
    caughtUp: () => caught.promise,
    stop: async () => {
      stopped = true;
      interrupt?.();
      // Called from inside the handler, awaiting `done` would wait on ourselves.
      if (inHandler) return;
      await done.catch(() => undefined);
    },
  };
}
