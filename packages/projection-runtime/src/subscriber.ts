import type { Subscription } from '@leerroutes/event-store';
import { catchUp, type RunOptions, type RunSummary } from './catch-up.js';

export interface SubscriberOptions extends RunOptions {
  /** How often the head of the log is looked at (ms; default 250). */
  readonly pollIntervalMs?: number;
  /** At least this long between the starts of two catch-up sessions (ms; default 1000): on DuckDB each one copies and publishes a generation. */
  readonly minSessionIntervalMs?: number;
  /** Called after each session that published a generation. */
  readonly onPublished?: (summary: RunSummary) => void;
  /** Called when a catch-up session failed, with how long the subscriber waits before it tries again. */
  readonly onError?: (err: unknown, retryInMs: number) => void;
  /** The wait before trying again after a failed session (ms; default 1000), doubled after each failure in a row up to maxRetryMs. */
  readonly retryMs?: number;
  /** The longest wait between two tries (ms; default 30000). */
  readonly maxRetryMs?: number;
}

/** The failure the subscriber is waiting out, if its last session failed. */
export interface SubscriberFailure {
  readonly error: unknown;
  readonly message: string;
  /** Failed sessions in a row. */
  readonly failures: number;
  /** When the next try starts (ms since the epoch). */
  readonly retryAt: number;
}

export interface ViewsSubscription extends Subscription {
  /** Null while the last session succeeded (or none has ended yet). */
  failure(): SubscriberFailure | null;
  /**
   * Ends a wait between tries now: something else just fixed what failed
   * (a rebuild in this process made damaged views anew). A no-op otherwise.
   */
  retryNow(): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Keep the views current while the process runs: catch up, then watch the
 * head of the log and run a catch-up session when it moves, at most one
 * session per minSessionIntervalMs. Readers answer from the published
 * generation meanwhile and move to the new one when it is published. An
 * inline catch-up after an import in the same process simply queues behind
 * (or ahead of) the subscriber's session.
 *
 * A failed session (a full disk, a lost database connection) is reported
 * and tried again after a wait that grows with each failure in a row: the
 * session left nothing half done (it publishes whole or not at all), and a
 * server that stopped keeping its views current would answer from ever older
 * views while looking healthy.
 */
export function startSubscriber(options: SubscriberOptions): ViewsSubscription {
  const poll = options.pollIntervalMs ?? 250;
  const spacing = options.minSessionIntervalMs ?? 1000;
  const firstRetry = options.retryMs ?? 1000;
  const maxRetry = options.maxRetryMs ?? 30_000;
  let stopped = false;
  /** The head the published views are known to reach. */
  let reached = -1;
  let lastStart = 0;
  let failure: SubscriberFailure | null = null;
  /** Wakes a wait between tries early: the subscriber is stopped, or told to try again now. */
  let wake: (() => void) | null = null;
  const waiters: { target: number; resolve: () => void }[] = [];
  const settle = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i]!;
      if (stopped || w.target <= reached) {
        w.resolve();
        waiters.splice(i, 1);
      }
    }
  };

  const session = async (): Promise<void> => {
    lastStart = Date.now();
    const summary = await catchUp(options);
    reached = Math.max(reached, summary.head);
    if (summary.published) options.onPublished?.(summary);
    settle();
  };

  /** One session, or the failure it ended in; true when it succeeded. */
  const attempt = async (): Promise<boolean> => {
    try {
      await session();
      failure = null;
      return true;
    } catch (err) {
      const failures = (failure?.failures ?? 0) + 1;
      const retryInMs = Math.min(maxRetry, firstRetry * 2 ** (failures - 1));
      failure = { error: err, message: err instanceof Error ? err.message : String(err), failures, retryAt: Date.now() + retryInMs };
      options.onError?.(err, retryInMs);
      // Stopped meanwhile (a session failing while its engine closes): nothing to wait for.
      if (stopped) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, retryInMs);
        wake = () => { clearTimeout(timer); resolve(); };
      });
      wake = null;
      return false;
    }
  };

  const done = (async () => {
    try {
      let due = true;
      while (!stopped) {
        if (!due) {
          await sleep(poll);
          if (stopped) break;
          // Looking at the head can fail as a session can (the database went away): the same wait, then again.
          const head = await options.store.headPosition().catch(() => null);
          if (head !== null && head <= reached) continue;
          const wait = lastStart + spacing - Date.now();
          if (wait > 0) await sleep(wait);
          if (stopped) break;
        }
        due = !(await attempt());
      }
    } finally {
      stopped = true;
      settle();
    }
  })();
  done.catch(() => undefined);

  return {
    done,
    /** Resolves once the published views reach the head of the log as it is now (failed sessions are tried again meanwhile), or when stopped. */
    async caughtUp() {
      const target = await options.store.headPosition();
      if (target <= reached || stopped) return;
      await new Promise<void>((resolve) => waiters.push({ target, resolve }));
    },
    failure: () => failure,
    retryNow: () => wake?.(),
    async stop() {
      stopped = true;
      wake?.();
      await done.catch(() => undefined);
    },
  };
}
