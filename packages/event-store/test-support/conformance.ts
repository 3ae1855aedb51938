import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendSuite } from './conformance/append.js';
import { concurrencySuite } from './conformance/concurrency.js';
import { erasureSuite } from './conformance/erasure.js';
import type { ConformanceContext, ConformanceFixture, ConformanceOptions } from './conformance/helpers.js';
import { readAllSuite } from './conformance/read-all.js';
import { readStreamsSuite } from './conformance/read-streams.js';
import { subscriptionSuite } from './conformance/subscription.js';

export type { ConformanceFixture, ConformanceOptions } from './conformance/helpers.js';

/**
 * The behaviour every EventStore adapter must show, written against the port
 * only. Each test gets a fresh fixture from `factory`.
 */
export function describeEventStoreConformance(
  name: string,
  factory: () => Promise<ConformanceFixture>,
  options: ConformanceOptions = {},
): void {
  const run = randomUUID().slice(0, 8);
  let current: ConformanceFixture | undefined;
  let testNo = 0;
  const ctx: ConformanceContext = {
    options: { multiConnection: options.multiConnection ?? true, erasurePurgesAll: options.erasurePurgesAll ?? true },
    fixture: () => {
      if (current === undefined) throw new Error('no fixture: called outside a test');
      return current;
    },
    store: () => ctx.fixture().store,
    stream: (label) => `learner-${run}-${testNo}-${label}`,
    type: (label) => `${label}_${run}`,
  };

  describe(`EventStore conformance: ${name}`, () => {
    beforeEach(async () => {
      testNo += 1;
      current = await factory();
    });
    afterEach(async () => {
      await current?.cleanup();
      current = undefined;
    });

    it('fixture gives a working store', async () => {
      expect(typeof (await ctx.store().headPosition())).toBe('number');
    });

    appendSuite(ctx);
    readAllSuite(ctx);
    readStreamsSuite(ctx);
    subscriptionSuite(ctx);
    concurrencySuite(ctx);
    erasureSuite(ctx);
  });
}
