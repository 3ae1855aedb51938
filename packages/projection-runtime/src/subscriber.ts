import type { Subscription } from '@leerroutes/event-store';
import { catchUp, type RunOptions, type RunSummary } from './catch-up.js';

export interface SubscriberOptions extends RunOptions {
  /** How often the head of the log is looked at (ms; default 250). */
  readonly pollIntervalMs?: number;
  /** At least this long between the starts of two catch-up sessions (ms; default 1000): on DuckDB each one copies and publishes a generation. */
  readonly minSessionIntervalMs?: number;
  /** Called after each session that published a generation. */
  readonly onPublished?: (summary: RunSummary) => void;
  /** Called when a catch-up failed; the subscriber then stops (done rejects). */
  readonly onError?: (err: unknown) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Keep the views current while the process runs: catch up, then watch the
 * head of the log and run a catch-up session when it moves, at most one
 * session per minSessionIntervalMs. Readers answer from the published
 * generation meanwhile and move to the new one when it is published. An
 * inline catch-up after an import in the same process simply queues behind
 * (or ahead of) the subscriber's session.
 */
export function startSubscriber(options: SubscriberOptions): Subscription {
  const poll = options.pollIntervalMs ?? 250;
  const spacing = options.minSessionIntervalMs ?? 1000;
  let stopped = false;
  /** The head the published views are known to reach. */
  let reached = -1;
  let lastStart = 0;
  let failure: unknown = null;
  const waiters: { target: number; resolve: () => void; reject: (err: unknown) => void }[] = [];
  const settle = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i]!;
      if (failure !== null) w.reject(failure);
      else if (stopped || w.target <= reached) w.resolve();
      else continue;
      waiters.splice(i, 1);
    }
  };

  const session = async (): Promise<void> => {
    lastStart = Date.now();
    const summary = await catchUp(options);
    reached = Math.max(reached, summary.head);
    if (summary.published) options.onPublished?.(summary);
    settle();
  };

  const done = (async () => {
    try {
      await session();
      while (!stopped) {
        await sleep(poll);
        if (stopped) break;
        const head = await options.store.headPosition();
        if (head <= reached) continue;
        const wait = lastStart + spacing - Date.now();
        if (wait > 0) await sleep(wait);
        if (stopped) break;
        await session();
      }
    } catch (err) {
      failure = err;
      options.onError?.(err);
      throw err;
    } finally {
      stopped = true;
      settle();
    }
  })();
  done.catch(() => undefined);

  return {
    done,
    /** Resolves once the published views reach the head of the log as it is now; rejects if keeping them current failed. */
    async caughtUp() {
      const target = await options.store.headPosition();
      if (failure !== null) throw failure;
      if (target <= reached || stopped) return;
      await new Promise<void>((resolve, reject) => waiters.push({ target, resolve, reject }));
    },
    async stop() {
      stopped = true;
      await done.catch(() => undefined);
    },
  };
}
