/**
 * The read side the CLI and the API share: indicators, cell explanations and
 * rule-set comparisons from the statistics projection (SQL over the published
 * views; as known on a date and as of a school year are filters there), one
 * learner explained from the log. No per-request fold, nothing remembered
 * between requests: a server that wants a cache keeps one, keyed by
 * version() (the published state, not only the checkpoint answers carry).
 */
import { RULE_SETS } from '@leerroutes/domain';
import type { EventStore } from '@leerroutes/event-store';
import {
  explainLearner, statisticsCell, statisticsCohorts, statisticsCompare, statisticsReport,
  type CellRef, type CohortList, type Publisher, type LearnerExplanation, type Report, type ReportRequest, type RuleSetComparison, type StatisticsSource,
} from '@leerroutes/indicators';
import { checkAnchors, forgottenCount, listViewTables, readCheckpoint, type Checkpoint, type ViewsReader } from '@leerroutes/projection-runtime';
import { projectionNamed, REFERENCE_AREA, REFERENCE_INSTITUTION, STATISTICS } from '@leerroutes/projections';

/** The views have no statistics yet (nothing imported, or views from before the statistics projection): a catch-up or rebuild is due. */
export class ViewsNotReadyError extends Error {
  readonly code = 'views-not-ready';
  constructor(message: string) {
    super(message);
    this.name = 'ViewsNotReadyError';
  }
}

/** The statistics projection's position: the log position every answer reflects. */
async function statisticsCheckpoint(db: Parameters<StatisticsSource['checkpoint']>[0]): Promise<Checkpoint> {
  const c = await readCheckpoint(db, STATISTICS);
  if (c === null) throw new ViewsNotReadyError(`the views hold no statistics yet: run 'pnpm pathways catch-up' (or rebuild)`);
  // Views an older (or newer) statistics projection published lack tables or columns this code reads.
  const version = projectionNamed(STATISTICS)!.version;
  if (c.version !== version) {
    throw new ViewsNotReadyError(`the views hold statistics of version ${c.version} and this code reads version ${version}: run 'pnpm pathways catch-up', which rebuilds them`);
  }
  return c;
}

/**
 * The statistics of the published views, for reports. Each snapshot first
 * asks the log whether the views were made from it (log-anchor.ts in the
 * runtime): views ahead of a log restored from an earlier copy would
 * otherwise answer with events the log no longer holds.
 */
export function statisticsSource(reader: ViewsReader, store: EventStore, where: string, publisher?: Publisher): StatisticsSource {
  return {
    ...(publisher ? { publisher } : {}),
    async snapshot(fn) {
      if ((await reader.published()) === null) throw new ViewsNotReadyError(`no views published at ${where}: import something, or run 'pnpm pathways rebuild'`);
      return reader.snapshot(async (db) => {
        await checkAnchors(store, [await statisticsCheckpoint(db)], where);
        return fn(db);
      });
    },
    checkpoint: async (db) => (await statisticsCheckpoint(db)).position,
  };
}

export interface Reads {
  /** An indicator; the report says at which checkpoint of the log it was read. */
  report(request: ReportRequest): Promise<Report>;
  /** The learners behind one cell (privileged: the caller checks the role and audits the read). */
  explainCell(request: ReportRequest, cell: CellRef): Promise<{ learnerIds: string[] }>;
  /** The request under two rule sets, and the learners they classify differently (privileged). */
  compareRuleSets(request: ReportRequest, rulesA: string, rulesB: string): Promise<RuleSetComparison>;
  /** The cohorts present, per kind (advice cohorts per rule set). */
  cohorts(): Promise<CohortList>;
  /** One learner folded from the log, with the rule behind each classification; null when unknown (or unknown then). */
  learner(learnerId: string, options?: { asKnownOn?: string }): Promise<LearnerExplanation | null>;
  /** The log position the views reflect; null before anything was published. */
  checkpoint(): Promise<number | null>;
  /**
   * Which published state of the views reads see now, as one text (its
   * generation, checkpoint and number of learners forgotten); null before
   * anything was published. The checkpoint alone does not name it:
   * forgetting an erased learner publishes other views at the same
   * checkpoint (on PostgreSQL in the same generation), so a cache keyed by
   * it would go on serving counts with the learner in them.
   */
  version(): Promise<string | null>;
  /** Names of areas and institutions from the reference data, and the covered school years (what `asOf` can take). */
  reference(): Promise<ReferenceLabels>;
}

/** What a reader needs to show codes as names, and the school years an as-of cut can name. */
export interface ReferenceLabels {
  readonly names: { readonly area: Readonly<Record<string, string>>; readonly institution: Readonly<Record<string, string>> };
  /** Covered school years (complete counts), ascending. */
  readonly schoolYears: readonly string[];
}

export function reads(store: EventStore, reader: ViewsReader, where: string, publisher?: Publisher): Reads {
  const source = statisticsSource(reader, store, where, publisher);
  return {
    report: (request) => statisticsReport(request, source),
    explainCell: (request, cell) => statisticsCell(request, cell, source),
    compareRuleSets: (request, a, b) => statisticsCompare(request, a, b, source),
    cohorts: () => statisticsCohorts(source, Object.keys(RULE_SETS)),
    learner: (learnerId, options = {}) => explainLearner(learnerId, { store }, options),
    async checkpoint() {
      if ((await reader.published()) === null) return null;
      return reader.snapshot(async (db) => (await readCheckpoint(db, STATISTICS))?.position ?? null);
    },
    async version() {
      const generation = await reader.published();
      if (generation === null) return null;
      return reader.snapshot(async (db) => `${generation}@${(await readCheckpoint(db, STATISTICS))?.position ?? 0}-${await forgottenCount(db, STATISTICS)}`);
    },
    async reference() {
      if ((await reader.published()) === null) return { names: { area: {}, institution: {} }, schoolYears: [] };
      return reader.snapshot(async (db) => {
        const tables = await listViewTables(db);
        const pairs = async (table: string, key: string) => tables.has(table)
          ? Object.fromEntries((await db.selectFrom(table).select([key, 'name']).orderBy(key).execute()).map((r: Record<string, unknown>) => [String(r[key]), String(r['name'])]))
          : {};
        const years = tables.has('stat_covered')
          ? (await db.selectFrom('stat_covered').select('year').distinct().orderBy('year').execute()).map((r: { year: unknown }) => `${Number(r.year)}-${Number(r.year) + 1}`)
          : [];
        return { names: { area: await pairs(REFERENCE_AREA, 'area'), institution: await pairs(REFERENCE_INSTITUTION, 'institution') }, schoolYears: years };
      });
    },
  };
}
