import type { ExpectedRevision, StreamAppend } from '../port.js';
import { joinable, joinColumn, splitColumn, type ColumnValue } from './text-columns.js';

/**
 * A batch of appends for the PostgreSQL log whose events' columns are
 * already joined text (text-columns.ts), as the import's derive workers make
 * them. The writer's thread then neither receives the events as objects nor
 * turns them into parameters: it works out stream ids and revisions under the
 * append lock and sends the columns on (appendJoined). This module imports no
 * driver, so a worker thread can load it.
 */
export interface JoinedAppends {
  readonly joined: true;
  /** Per append: its stream, expected revision and number of events, in order. */
  readonly streams: readonly string[];
  readonly expected: readonly ExpectedRevision[];
  readonly counts: readonly number[];
  /** Per event, in append order, each column joined. A missing knownAt is null: the store fills in its recordedAt. */
  readonly schemaVersion: string;
  readonly eventId: string;
  readonly type: string;
  readonly occurredOn: string;
  readonly knownAt: string;
  readonly data: string;
  readonly metadata: string;
  /** How many events of each type. */
  readonly byType: readonly (readonly [type: string, events: number])[];
}

export const isJoined = (a: object): a is JoinedAppends => (a as Partial<JoinedAppends>).joined === true;

/** Collects appends as they are made; finish() gives them joined, or as they are when a column cannot be joined. */
export class AppendJoiner {
  private readonly appends: StreamAppend[] = [];
  private readonly columns: ColumnValue[][] = [[], [], [], [], [], [], []];
  private readonly byType = new Map<string, number>();

  add(append: StreamAppend): void {
    this.appends.push(append);
    const [schemaVersion, eventId, type, occurredOn, knownAt, data, metadata] = this.columns as [ColumnValue[], ColumnValue[], ColumnValue[], ColumnValue[], ColumnValue[], ColumnValue[], ColumnValue[]];
    for (const e of append.events) {
      schemaVersion.push(e.schemaVersion);
      eventId.push(e.eventId);
      type.push(e.type);
      occurredOn.push(e.occurredOn ?? null);
      knownAt.push(e.knownAt ?? null);
      // As the store writes them (appendLocked): a missing payload is JSON null, missing metadata is SQL NULL.
      data.push(JSON.stringify(e.data ?? null));
      metadata.push(e.metadata === undefined ? null : JSON.stringify(e.metadata));
      this.byType.set(e.type, (this.byType.get(e.type) ?? 0) + 1);
    }
  }

  finish(): JoinedAppends | readonly StreamAppend[] {
    if (!this.columns.every(joinable)) return this.appends;
    const [schemaVersion, eventId, type, occurredOn, knownAt, data, metadata] = this.columns.map(joinColumn) as [string, string, string, string, string, string, string];
    return {
      joined: true,
      streams: this.appends.map((a) => a.stream),
      expected: this.appends.map((a) => a.expectedRevision),
      counts: this.appends.map((a) => a.events.length),
      schemaVersion, eventId, type, occurredOn, knownAt, data, metadata,
      byType: [...this.byType],
    };
  }
}

/** The appends back as they were given (for the cases appendJoined leaves to the ordinary append). */
export function unjoin(j: JoinedAppends): StreamAppend[] {
  const schemaVersion = splitColumn(j.schemaVersion);
  const eventId = splitColumn(j.eventId);
  const type = splitColumn(j.type);
  const occurredOn = splitColumn(j.occurredOn);
  const knownAt = splitColumn(j.knownAt);
  const data = splitColumn(j.data);
  const metadata = splitColumn(j.metadata);
  let at = 0;
  return j.streams.map((stream, i) => {
    const events = Array.from({ length: j.counts[i]! }, () => {
      const k = at++;
      const known = knownAt[k];
      const meta = metadata[k];
      return {
        eventId: eventId[k]!, type: type[k]!, schemaVersion: Number(schemaVersion[k]), data: JSON.parse(data[k]!) as unknown,
        occurredOn: occurredOn[k] ?? null, ...(known != null ? { knownAt: known } : {}), ...(meta != null ? { metadata: JSON.parse(meta) as Record<string, unknown> } : {}),
      };
    });
    return { stream, expectedRevision: j.expected[i]!, events };
  });
}
