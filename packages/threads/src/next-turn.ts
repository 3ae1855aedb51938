/**
 * Its own entry (`@leerroutes/threads/next-turn`): worker threads import it,
 * and must not load the index, whose source-worker.ts resolves tsx from
 * where it lies, which a bundled worker does not know.
 */
/** One turn of the event loop: messages, timers and requests that came meanwhile are taken in. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A long loop on a thread that also serves (a server's event loop, a
 * rebuild's writer) gives the event loop a turn every `every` items: in a
 * loop over N items, `if (turns.due()) await nextTurn()`.
 */
export function turnsEvery(every: number): { due(): boolean } {
  let n = 0;
  return { due: () => ++n % every === 0 };
}
