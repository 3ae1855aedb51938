/**
 * Appends whose columns were joined where they were made (joined.ts, as the
 * import's derive workers send them) must leave the log the ordinary append
 * leaves, answer as it does, and fail as it does.
 */
import { expect, it } from 'vitest';
import type { AppendError, AppendResult, NewEvent, StreamAppend } from '../src/port.js';
import { AppendJoiner, isJoined, openPostgresEventStore, unjoin, type JoinedAppends, type PostgresEventStore } from '../src/postgres/index.js';
import { expectRight, newEvent, readAllAfter } from '../test-support/conformance/helpers.js';
import { describeWithPostgres, postgresForTests } from '../test-support/postgres.js';

const pgForTests = await postgresForTests();

const joinedOf = (appends: readonly StreamAppend[]): JoinedAppends | readonly StreamAppend[] => {
  const j = new AppendJoiner();
  for (const a of appends) j.add(a);
  return j.finish();
};

const joinedOnly = (appends: readonly StreamAppend[]): JoinedAppends => {
  const j = joinedOf(appends);
  if (!isJoined(j)) throw new Error('expected the batch to be joined');
  return j;
};

describeWithPostgres('PostgreSQL appends with joined columns', pgForTests, (db) => {
  let n = 0;
  /** Two logs, one appended to the ordinary way and one joined, each on a clock of its own that ticks per append call. */
  const pair = async () => {
    const open = () => {
      let ms = Date.parse('2024-01-01T00:00:00.000Z');
      return openPostgresEventStore({ connectionString: db.url(), schema: `joined_${++n}`, clock: () => new Date((ms += 1000)) });
    };
    return { plain: await open(), joined: await open() };
  };
  const log = async (store: PostgresEventStore) => (await readAllAfter(store, 0)).flat();
  const stats = async (store: PostgresEventStore) => {
    const s = await store.stats();
    return { events: s.events, streams: s.streams, byType: s.byType, last: s.lastPosition };
  };

  type Outcome = { right: AppendResult[] } | { left: AppendError };
  const outcome = (r: { _tag: 'Left'; left: AppendError } | { _tag: 'Right'; right: AppendResult[] }): Outcome => (r._tag === 'Left' ? { left: r.left } : { right: r.right });

  /** The same batches through append and through appendJoined: the same answers, then the same log. */
  async function same(batches: readonly (readonly StreamAppend[])[]): Promise<Outcome[]> {
    const { plain, joined } = await pair();
    try {
      const answers: Outcome[] = [];
      for (const batch of batches) {
        const a = outcome(await plain.writeTransaction((tx) => tx.append(batch)));
        const b = outcome(await joined.writeTransaction((tx) => tx.appendJoined(joinedOnly(batch))));
        expect(b).toEqual(a);
        answers.push(a);
      }
      expect(await log(joined)).toEqual(await log(plain));
      expect(await stats(joined)).toEqual(await stats(plain));
      return answers;
    } finally {
      await plain.close();
      await joined.close();
    }
  }

  const events = (k: number, over: (i: number) => Partial<NewEvent> = () => ({})) => Array.from({ length: k }, (_, i) => newEvent({ type: `T${i % 3}`, data: { i, text: 'a "quoted", {braced} \\ value' }, ...over(i) }));

  it('writes new streams, streams that exist and empty appends as the ordinary append does', async () => {
    const first = [
      { stream: 'learner-a', expectedRevision: 'no_stream' as const, events: events(3) },
      { stream: 'learner-b', expectedRevision: 'any' as const, events: events(2, (i) => ({ knownAt: `2023-11-0${i + 1}T00:00:00.000Z`, metadata: { key: `k${i}`, delivery: 1 } })) },
      { stream: 'learner-c', expectedRevision: 'no_stream' as const, events: [] },
      { stream: 'learner-d', expectedRevision: 'no_stream' as const, events: events(1, () => ({ occurredOn: null, data: null })) },
    ];
    const second = [
      { stream: 'learner-a', expectedRevision: 2, events: events(2) },
      { stream: 'learner-e', expectedRevision: 'no_stream' as const, events: events(4) },
      { stream: 'learner-b', expectedRevision: 'stream_exists' as const, events: [] },
      { stream: 'learner-d', expectedRevision: 'any' as const, events: events(1) },
    ];
    const [a, b] = await same([first, second]);
    // The answers say what was written where: positions of each append's last event, revisions, counts.
    expect(a).toMatchObject({ right: [{ revision: 2, appended: 3, position: 3 }, { revision: 1, position: 5 }, { revision: 'no_stream', appended: 0, position: null }, { revision: 0, position: 6 }] });
    expect(b).toMatchObject({ right: [{ revision: 4, position: 8 }, { revision: 3, position: 12 }, { revision: 1, appended: 0, position: null }, { revision: 1, position: 13 }] });
  });

  it('leaves duplicates, a wrong expected revision and a stream named twice to the ordinary append, with its answers', async () => {
    const stored = events(3);
    const answers = await same([
      [{ stream: 'learner-a', expectedRevision: 'no_stream', events: stored }],
      // A retry of a batch that committed: every event is there already, whatever it expected.
      [{ stream: 'learner-a', expectedRevision: 'no_stream', events: stored }],
      // Some stored, some new, the expected revision holding: only the new ones go in.
      [{ stream: 'learner-a', expectedRevision: 2, events: [...stored.slice(1), ...events(2)] }],
      // A stream twice in one batch.
      [{ stream: 'learner-b', expectedRevision: 'no_stream', events: events(1) }, { stream: 'learner-b', expectedRevision: 0, events: events(1) }],
      // Another writer got there first: a conflict, and nothing of the batch is written.
      [{ stream: 'learner-c', expectedRevision: 'no_stream', events: events(1) }, { stream: 'learner-a', expectedRevision: 1, events: events(1) }],
    ]);
    expect(answers[1]).toMatchObject({ right: [{ appended: 0, duplicates: 3 }] });
    expect(answers[2]).toMatchObject({ right: [{ appended: 2, duplicates: 2, revision: 4 }] });
    expect(answers[3]).toMatchObject({ right: [{ revision: 0 }, { revision: 1 }] });
    expect(answers[4]).toMatchObject({ left: { kind: 'WrongExpectedRevision', stream: 'learner-a', expected: 1, actual: 4 } });
  });

  it('fills in a missing knownAt with the recordedAt of the append, as the ordinary append does', async () => {
    const { joined, plain } = await pair();
    try {
      expectRight(await joined.writeTransaction((tx) => tx.appendJoined(joinedOnly([{ stream: 'learner-a', expectedRevision: 'any', events: events(2, (i) => (i === 0 ? {} : { knownAt: '2020-01-01T00:00:00.000Z' })) }]))));
      const [e0, e1] = await log(joined);
      expect(e0!.knownAt).toBe(e0!.recordedAt);
      expect(e1!.knownAt).toBe('2020-01-01T00:00:00.000Z');
    } finally {
      await joined.close();
      await plain.close();
    }
  });

  it('gives a batch back as it is when a column cannot be joined, and unjoins a joined batch to what was added', () => {
    const odd = [{ stream: 'learner-a', expectedRevision: 'any' as const, events: [newEvent({ type: 'has\x1eseparator' })] }];
    expect(isJoined(joinedOf(odd) as object)).toBe(false);
    expect(joinedOf(odd)).toEqual(odd);
    const batch = [
      { stream: 'learner-a', expectedRevision: 'no_stream' as const, events: events(2, (i) => ({ knownAt: i ? '2020-01-01T00:00:00.000Z' : undefined, metadata: i ? { key: 'x' } : undefined })) },
      { stream: 'learner-b', expectedRevision: 3, events: [] },
    ];
    // What the joiner keeps is what it was given: undefined fields stay away, as JSON round trips them.
    expect(unjoin(joinedOnly(batch))).toEqual(JSON.parse(JSON.stringify(batch)));
  });
});
