import { sql } from 'kysely';
import { COVERAGE_STREAM, SCHOOL_GROUPS_STREAM, fromStored, type EventData } from '@leerroutes/domain';
import type { RecordedEvent } from '@leerroutes/event-store';
import { insertChunked, learnerHistories, RowBlockBuilder, type ColumnKind, type PrepareContext, type Projection, type ProjectionContext, type RowBlock } from '@leerroutes/projection-runtime/kit';
import { dayOf, yearOf, type AreaRow } from './facts.js';
import { knownFacts, LEARNER_TABLES, type Table } from './knowledge.js';
import { columnNames, createStatisticsTables, LEARNER_TABLE_OF, settleSchoolWeight, STATISTICS_TABLES, type Column } from './schema.js';

/**
 * The statistics read model: per learner, what every indicator counts
 * (cohort memberships with the breakdown values at the cohort's start and
 * the learner's classifications, yearly counts with the per-year units,
 * steps, diplomas, stacking attempts, advice revisions), each row with the
 * interval of knowledge in which it held and, where the career changes it,
 * the school years in which it held; plus the covered reference dates from
 * the import's record of complete counts. Indicators are SQL over these
 * tables (packages/indicators/src/sql): no pathway is folded per request.
 */
/** A batch's learners folded, and the batch's coverage and school groups: everything `apply` writes. */
interface PreparedBatch {
  /** Learners that earlier batches may have written: their rows are replaced. */
  readonly replaced: readonly string[];
  /** Each table's fact rows, in the schema's column order. */
  readonly rows: Readonly<Record<Table, RowBlock>>;
  readonly areas: readonly AreaRow[];
  readonly covered: readonly CoveredRow[];
  readonly groups: readonly GroupRow[];
}

/** Prepared batches combined (Projection.combine), written as one. */
interface CombinedBatches {
  readonly parts: readonly PreparedBatch[];
}

type CoveredRow = { reference_date: number; year: number; known_from: number };
type GroupRow = { institution: string; grp: string; valid_from: number; valid_to: number | null };

const KIND_OF = { text: 'string', integer: 'number', boolean: 'boolean' } as const satisfies Record<Column['type'], ColumnKind>;
const COLUMNS = Object.fromEntries(LEARNER_TABLES.map((key) => [key, columnNames(LEARNER_TABLE_OF[key])])) as Record<Table, string[]>;

const KINDS = Object.fromEntries(LEARNER_TABLES.map((key) => [key, STATISTICS_TABLES[LEARNER_TABLE_OF[key]].map((c) => KIND_OF[c.type])])) as Record<Table, ColumnKind[]>;

type RowPusher = (row: object, columns: readonly { push(value: unknown): void }[]) => void;
/**
 * Per table, one function that pushes a row's values into the table's
 * column builders. Compiled from the column names (the schema's, never
 * input), so every value is read by a fixed key and each push is a call site
 * of its own: read by a key from a loop, the millions of rows of a rebuild
 * took the slow generic lookup.
 */
const PUSH_ROW = Object.fromEntries(LEARNER_TABLES.map((key) => [key, new Function('row', 'out',
  COLUMNS[key].map((name, i) => `out[${i}].push(row[${JSON.stringify(name)}]);`).join('\n')) as RowPusher])) as Record<Table, RowPusher>;
const newBuilders = () => Object.fromEntries(LEARNER_TABLES.map((key) => [key, new RowBlockBuilder(KINDS[key], COLUMNS[key])])) as Record<Table, RowBlockBuilder>;
/** Builders not in use: one set per batch being prepared at a time, kept for the next (row-block.ts says why). */
const builders: Record<Table, RowBlockBuilder>[] = [];

/** Learners folded between two turns of the event loop: short enough that the previous batch's transaction is not kept waiting. */
const LEARNERS_PER_TURN = 100;
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A batch folded a slice at a time into one set of column builders, so that
 * the rows of its slices are finished once, not finished per slice and then
 * joined (which copied every column again and merged the learner ids'
 * dictionaries). `prepareBatch` is the same fold with the batch as its one slice.
 */
class BatchFold {
  private blocks: Record<Table, RowBlockBuilder> | null = null;
  private readonly replaced: string[] = [];
  private readonly areas: AreaRow[] = [];
  private readonly covered: CoveredRow[] = [];
  private readonly groups: GroupRow[] = [];

  async add(slice: readonly RecordedEvent[], ctx: PrepareContext): Promise<void> {
    const histories = await learnerHistories(slice, ctx);
    // Straight into typed columns: the rows go to the bulk path packed by column (row-block.ts).
    const blocks = (this.blocks ??= builders.pop() ?? newBuilders());
    let n = 0;
    for (const h of histories) {
      if (++n % LEARNERS_PER_TURN === 0) await nextTurn();
      if (h.replaces) this.replaced.push(h.learnerId);
      const known = knownFacts(h.learnerId, h.events);
      for (const key of LEARNER_TABLES) {
        const push = PUSH_ROW[key];
        const block = blocks[key];
        const out = block.columns;
        for (const row of known.facts[key]) {
          push(row, out);
          block.rowDone();
        }
      }
      for (const a of known.areas) this.areas.push(a);
    }
    for (const c of coveredOf(slice)) this.covered.push(c);
    for (const g of groupsOf(slice)) this.groups.push(g);
  }

  finish(): PreparedBatch {
    const blocks = this.blocks ?? newBuilders();
    const rows = Object.fromEntries(LEARNER_TABLES.map((key) => [key, blocks[key].finish()])) as Record<Table, RowBlock>;
    builders.push(blocks);
    this.blocks = null;
    // A later slice's definition of a group's start wins, as within a slice.
    return { replaced: this.replaced, rows, areas: this.areas, covered: this.covered, groups: lastOfEachGroup(this.groups) };
  }
}

async function prepareBatch(batch: readonly RecordedEvent[], ctx: PrepareContext): Promise<PreparedBatch> {
  const fold = new BatchFold();
  await fold.add(batch, ctx);
  return fold.finish();
}

function coveredOf(batch: readonly RecordedEvent[]): CoveredRow[] {
  return batch.filter((e) => e.stream === COVERAGE_STREAM && e.type === 'ReferenceDateCovered').map((e) => {
    const d = fromStored('ReferenceDateCovered', e.schemaVersion, e.data as Record<string, unknown>).data as EventData<'ReferenceDateCovered'>;
    return { reference_date: dayOf(d.referenceDate), year: yearOf(d.schoolYear), known_from: dayOf(e.knownAt) };
  });
}

function groupsOf(batch: readonly RecordedEvent[]): GroupRow[] {
  const rows: GroupRow[] = [];
  for (const e of batch) {
    if (e.stream !== SCHOOL_GROUPS_STREAM || e.type !== 'SchoolGroupDefined') continue;
    const g = fromStored('SchoolGroupDefined', e.schemaVersion, e.data as Record<string, unknown>).data as EventData<'SchoolGroupDefined'>;
    rows.push({ institution: g.institution, grp: g.group, valid_from: dayOf(g.validFrom), valid_to: g.validTo === null ? null : dayOf(g.validTo) });
  }
  return lastOfEachGroup(rows);
}

/** Keyed: within a batch, too, the last definition of a group's start wins (one upsert may not touch a row twice). */
function lastOfEachGroup(rows: readonly GroupRow[]): GroupRow[] {
  const last = new Map<string, GroupRow>();
  for (const row of rows) last.set(`${row.institution}\u0000${row.grp}\u0000${row.valid_from}`, row);
  return [...last.values()];
}

async function deleteLearners(ctx: ProjectionContext, learnerIds: readonly string[]): Promise<void> {
  if (learnerIds.length === 0) return;
  for (const key of LEARNER_TABLES) {
    const table = ctx.t(LEARNER_TABLE_OF[key]);
    for (let i = 0; i < learnerIds.length; i += 500) {
      await ctx.db.deleteFrom(table).where('learner_id', 'in', learnerIds.slice(i, i + 500)).execute();
    }
  }
}

/** Recorded area chains: the smallest ancestor wins a conflict, so the result does not depend on the order learners come in. */
async function recordAreas(ctx: ProjectionContext, rows: readonly AreaRow[]): Promise<void> {
  const unique = new Map<string, AreaRow>();
  for (const r of rows) {
    const key = `${r.area}\u0000${r.depth}`;
    const prior = unique.get(key);
    if (!prior || r.ancestor < prior.ancestor) unique.set(key, r);
  }
  if (unique.size === 0) return;
  const table = ctx.t('stat_area');
  // Nearly every batch records chains the view already holds, and an upsert
  // costs far more than a lookup: only what is new or smaller is written.
  const areaCodes = [...new Set([...unique.values()].map((r) => r.area))];
  const held = new Map<string, string>();
  for (let i = 0; i < areaCodes.length; i += 500) {
    const rows = await ctx.db.selectFrom(table).select(['area', 'depth', 'ancestor']).where('area', 'in', areaCodes.slice(i, i + 500)).execute();
    for (const r of rows as AreaRow[]) held.set(`${r.area}\u0000${r.depth}`, r.ancestor);
  }
  const changed = [...unique].filter(([key, r]) => { const prior = held.get(key); return prior === undefined || r.ancestor < prior; }).map(([, r]) => r);
  if (changed.length === 0) return;
  await insertChunked(ctx.db, table, changed, (q) =>
    // In code-point order as the comparison above, not by a PostgreSQL database's collation ("C" is a collation DuckDB knows too).
    q.onConflict((oc) => oc.columns(['area', 'depth']).doUpdateSet({ ancestor: sql`least(${sql.ref(`${table}.ancestor`)} collate "C", excluded.ancestor)` })),
  );
}

/** The projection's name: also the name of its checkpoint, the log position every report reflects. */
export const STATISTICS = 'statistics';

export const statistics: Projection = {
  name: STATISTICS,
  // 4: stat_school_weight.
  version: 4,
  tables: Object.keys(STATISTICS_TABLES),

  createTables: (db, t) => createStatisticsTables(db, t),

  async apply(batch, ctx) {
    const given = (ctx.prepared as PreparedBatch | CombinedBatches | undefined) ?? await prepareBatch(batch, ctx);
    const parts = 'parts' in given ? given.parts : [given];
    const covered = parts.flatMap((p) => p.covered);
    if (covered.length > 0) {
      await insertChunked(ctx.db, ctx.t('stat_covered'), covered, (q) => q.onConflict((oc) => oc.column('reference_date').doNothing()));
    }
    const groups = parts.length === 1 ? parts[0]!.groups : lastOfEachGroup(parts.flatMap((p) => p.groups));
    if (groups.length > 0) {
      await insertChunked(ctx.db, ctx.t('stat_school_group'), groups, (q) =>
        q.onConflict((oc) => oc.columns(['institution', 'grp', 'valid_from']).doUpdateSet((eb) => ({ valid_to: eb.ref('excluded.valid_to') }))));
    }
    await deleteLearners(ctx, parts.flatMap((p) => p.replaced));
    // Fresh rows go in through the bulk path (DuckDB's appender).
    for (const key of LEARNER_TABLES) {
      for (const { rows } of parts) if (rows[key].length > 0) await ctx.bulk.insert(ctx.t(LEARNER_TABLE_OF[key]), COLUMNS[key], rows[key]);
    }
    await recordAreas(ctx, parts.flatMap((p) => p.areas));
  },

  prepare: prepareBatch,

  // Consecutive batches as one write (the runtime combines only those of a fresh pass, where no learner is folded
  // twice, so the learners to replace may all go before the rows): their rows stay in their own blocks, as joining
  // them would copy every column and merge dictionaries.
  combine: (parts): CombinedBatches => ({ parts: (parts as readonly (PreparedBatch | CombinedBatches)[]).flatMap((p) => ('parts' in p ? p.parts : [p])) }),

  prepareInSlices: () => new BatchFold(),

  async forgetLearner(learnerId, _events, ctx) {
    await deleteLearners(ctx, [learnerId]);
  },

  settle: ({ db, t }) => settleSchoolWeight(db, t),
};
