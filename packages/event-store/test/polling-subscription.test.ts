import { describe, expect, it } from 'vitest';
import { pollingSubscription } from '../src/polling-subscription.js';
import type { RecordedEvent } from '../src/port.js';

/** A batch source whose reads the test answers by hand, so stop() can land while a read is in flight. */
function manualSource() {
  const pending: ((batch: RecordedEvent[]) => void)[] = [];
  return {
    pending,
    source: {
      readBatch: () => new Promise<RecordedEvent[]>((resolve) => pending.push(resolve)),
      headPosition: () => 0,
    },
  };
}

describe('pollingSubscription', () => {
  it('stop() during a read that finds nothing ends the subscription instead of sleeping a poll interval first', async () => {
    const { pending, source } = manualSource();
    // An hour: if the loop went to sleep after the read, done would not settle within the test.
    const sub = pollingSubscription(source, () => undefined, { pollIntervalMs: 3_600_000 });
    await sub.caughtUp(); // head 0, checkpoint 0
    while (pending.length === 0) await new Promise((r) => setTimeout(r, 1));

    const stopped = sub.stop();
    pending.shift()!([]);
    await stopped;
    await expect(sub.done).resolves.toBeUndefined();
  });
});
