import type { LearnerFacts } from '@leerroutes/domain';
import { FACT_CODECS, type FactKind, type KindCodec } from '../fact-codec.js';

/** The ledger's fact tables, the same in every adapter. */
export interface KindTable {
  readonly table: string;
  /** Natural-key columns after learner_id. */
  readonly keys: readonly string[];
}

export const FACT_TABLES: Readonly<Record<FactKind, KindTable>> = {
  enrolment: { table: 'ledger_enrolment', keys: ['reference_date'] },
  advice: { table: 'ledger_advice', keys: ['school_year', 'kind', 'issued_on'] },
  diploma: { table: 'ledger_diploma', keys: ['school_year', 'institution', 'awarded_on'] },
  learner: { table: 'ledger_learner', keys: ['valid_from'] },
};

/** Ledger rows of each kind as stored: learner_id, the natural-key cells, content, line. */
export type FactRows = Readonly<Record<FactKind, readonly (readonly (string | number)[])[]>>;

const FIELD: Readonly<Record<FactKind, 'learner' | 'advice' | 'diplomas' | 'enrolments'>> = { learner: 'learner', advice: 'advice', diploma: 'diplomas', enrolment: 'enrolments' };

/**
 * Every fact of these learners from their ledger rows (Ledger.loadFactRows).
 * Free of the connection, so a worker thread can decode what the writer read.
 */
export function decodeFactRows(learnerIds: readonly string[], rows: FactRows): Map<string, LearnerFacts> {
  type Mutable = { learnerId: string; learner: unknown[]; advice: unknown[]; diplomas: unknown[]; enrolments: unknown[] };
  const out = new Map<string, Mutable>();
  for (const id of learnerIds) out.set(id, { learnerId: id, learner: [], advice: [], diplomas: [], enrolments: [] });
  for (const kind of Object.keys(FACT_TABLES) as FactKind[]) {
    const codec = FACT_CODECS[kind] as KindCodec<unknown>;
    const n = FACT_TABLES[kind].keys.length;
    for (const r of rows[kind]) {
      const source = { system: 'import', file: codec.file, line: Number(r[2 + n]) };
      out.get(String(r[0]))![FIELD[kind]].push(codec.decode(r.slice(1, 1 + n) as string[], String(r[1 + n]), source));
    }
  }
  return out as unknown as Map<string, LearnerFacts>;
}

