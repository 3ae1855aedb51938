/**
 * A reproducible little world of learners delivered year by year, as the
 * importer would append it: each delivery holds one school year's events for
 * every learner, plus late facts and corrections (Retracted) for earlier
 * years, so learners' streams interleave in the log and batches cut through them.
 */
import { TestLog, type BuiltEvent } from '@leerroutes/pathway/testing';
import type { EventStore } from '@leerroutes/event-store';

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ADVICE = ['vmbo-b', 'vmbo-k', 'vmbo-t', 'vmbo-t/havo', 'havo', 'havo/vwo', 'vwo'];
const LEVELS = ['vmbo-b', 'vmbo-k', 'vmbo-t', 'havo', 'vwo'];

export interface World {
  /** Deliveries in append order; each is the events of one import. */
  readonly deliveries: BuiltEvent[][];
  readonly learnerIds: readonly string[];
}

export function buildWorld(options: { learners: number; years?: number; seed?: number }): World {
  const rnd = random(options.seed ?? 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const log = new TestLog();
  const deliveries: BuiltEvent[][] = [];
  let mark = 0;
  const deliver = () => { deliveries.push(log.all.slice(mark)); mark = log.all.length; };

  for (const area of ['NL', 'RDAM', 'ZUID', 'NOORD']) log.area(area, area === 'NL' ? null : area === 'RDAM' ? 'NL' : 'RDAM');
  for (const inst of ['VO1', 'VO2', 'VO3']) log.institution(inst, inst === 'VO3' ? 'B2' : 'B1');

  const ids = Array.from({ length: options.learners }, (_, i) => `L${String(i).padStart(5, '0')}`);
  const learners = ids.map((id) => ({ id, b: log.learner(id), start: 2011 + Math.floor(rnd() * 2), level: pick(LEVELS), grade: 1, adviceIds: [] as string[], left: false }));
  const years = options.years ?? 5;
  for (let y = 2011; y < 2011 + years; y++) {
    for (const l of learners) {
      if (y === l.start) {
        l.b.registered(`${y - 12}-0${1 + Math.floor(rnd() * 9)}`, pick(['m', 'f'] as const));
        l.b.background(`${y}-08-01`, { pupilWeight: pick([0, 0.3, 1.2] as const), parentalEducation: pick(['low', 'middle', 'high'] as const), area: pick(['ZUID', 'NOORD']), areaParents: ['RDAM', 'NL'] });
        l.adviceIds.push(l.b.advice(`${y + 1}-02-01`, 'final', pick(ADVICE)));
      } else if (y === l.start + 1) {
        l.b.row(`${y}-10-01`, { institution: pick(['VO1', 'VO2']), level: l.level, grade: 1 });
      } else if (y > l.start + 1 && !l.left) {
        const r = rnd();
        if (r < 0.05) { l.b.left(`${y}-10-01`); l.left = true; continue; }
        if (r < 0.15) l.level = pick(LEVELS);
        else l.grade += 1;
        l.b.row(`${y}-10-01`, { institution: rnd() < 0.1 ? 'VO3' : 'VO1', level: l.level, grade: l.grade });
        if (rnd() < 0.05) l.b.diploma(`${y + 1}-06-30`, l.level, 'VO1');
      }
      // Corrections and late facts for earlier years land in this year's delivery.
      if (y > l.start + 1 && rnd() < 0.08 && l.adviceIds.length > 0) {
        l.b.retract(`${l.start + 1}-02-01`, [l.adviceIds.pop()!]);
        // Half the corrections move the advice to the school year before: the learner changes advice cohort.
        l.adviceIds.push(l.b.advice(rnd() < 0.5 ? `${l.start + 1}-02-01` : `${l.start}-06-01`, 'final', pick(ADVICE)));
      }
      if (y > l.start + 1 && rnd() < 0.05) l.b.testScore(`${l.start + 1}-04-15`, 500 + Math.floor(rnd() * 50), pick(ADVICE));
    }
    deliver();
  }
  return { deliveries, learnerIds: ids };
}

/** Append one delivery like an import does: one call, stream by stream, in the delivery's order. */
export async function appendDelivery(store: EventStore, events: readonly BuiltEvent[]): Promise<void> {
  const byStream = new Map<string, BuiltEvent[]>();
  for (const e of events) {
    const list = byStream.get(e.stream);
    if (list) list.push(e);
    else byStream.set(e.stream, [e]);
  }
  const result = await store.appendToStreams(
    [...byStream].map(([stream, list]) => ({
      stream,
      expectedRevision: 'any' as const,
      events: list.map((e) => ({ eventId: e.eventId, type: e.type, schemaVersion: e.schemaVersion, data: e.data, occurredOn: e.occurredOn, knownAt: e.knownAt })),
    })),
  );
  if (result._tag === 'Left') throw new Error(`append failed: ${JSON.stringify(result.left)}`);
}
