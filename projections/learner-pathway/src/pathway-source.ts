import { coveredDatesOf, reportingPathwayOf, type Pathway, type PathwaySource, type ReportingPathway } from '@leerroutes/pathway';
import { isMissingTable, readCheckpoint, type ViewsReader } from '@leerroutes/projection-runtime';
import { readReferenceData, referenceData } from '@leerroutes/projection-reference-data';
import { COVERED_DATE, LEARNER_COHORT, LEARNER_PATHWAY, LEARNER_REPORT, learnerPathway } from './projection.js';

const parse = (rows: readonly { pathway: string }[]): Pathway[] => rows.map((r) => JSON.parse(r.pathway) as Pathway);

/**
 * The PathwaySource the indicators read, over the published views (pass the
 * views' reader). Learners come in learner-id order, so every reader sees
 * the same order.
 */
export function createViewsPathwaySource(views: ViewsReader): PathwaySource {
  const { db } = views;
  /** A published generation never changes, so neither do its checkpoints: asked once per generation, not per report. */
  let known: { generation: string | null; checkpoint: number } | null = null;

  /** One cohort's rows of a per-learner table, walking the cohort index's primary key in learner-id order. */
  const cohortRows = async (table: string, column: string, cohortType: string, rules: string, cohort: string): Promise<string[]> => {
    const rows = await db
      .selectFrom(`${LEARNER_COHORT} as c`)
      .innerJoin(`${table} as p`, 'p.learner_id', 'c.learner_id')
      .select(`p.${column} as value`)
      .where('c.cohort_type', '=', cohortType)
      .where('c.rules', '=', rules)
      .where('c.cohort', '=', cohort)
      .orderBy('c.learner_id')
      .execute();
    return rows.map((r) => r.value as string);
  };

  const source: PathwaySource = {
    async cohortPathways(cohortType, rules, cohort) {
      return (await cohortRows(LEARNER_PATHWAY, 'pathway', cohortType, rules, cohort)).map((json) => JSON.parse(json) as Pathway);
    },

    async cohortReportingPathways(cohortType, rules, cohort) {
      try {
        return (await cohortRows(LEARNER_REPORT, 'report', cohortType, rules, cohort)).map((json) => JSON.parse(json) as ReportingPathway);
      } catch (err) {
        // Views written by an older version of the projection lack the reporting tables: answer from the whole pathways meanwhile.
        if (!isMissingTable(err)) throw err;
        return (await source.cohortPathways(cohortType, rules, cohort)).map(reportingPathwayOf);
      }
    },

    async coveredReferenceDates() {
      try {
        const rows = await db.selectFrom(COVERED_DATE).select('reference_date').where('learners', '>', 0).orderBy('reference_date').execute();
        return rows.map((r) => r.reference_date as string);
      } catch (err) {
        if (!isMissingTable(err)) throw err;
        const dates = new Set<string>();
        for await (const batch of source.allPathways()) for (const d of coveredDatesOf(batch)) dates.add(d);
        return [...dates].sort();
      }
    },

    async *allPathways(batchSize = 10_000) {
      let after: string | null = null;
      for (;;) {
        let q = db.selectFrom(LEARNER_PATHWAY).select(['learner_id', 'pathway']).orderBy('learner_id').limit(batchSize);
        if (after !== null) q = q.where('learner_id', '>', after);
        const rows = await q.execute();
        if (rows.length === 0) return;
        yield parse(rows);
        after = rows[rows.length - 1]!.learner_id as string;
        if (rows.length < batchSize) return;
      }
    },

    async pathway(learnerId) {
      const row = await db.selectFrom(LEARNER_PATHWAY).select('pathway').where('learner_id', '=', learnerId).executeTakeFirst();
      return row ? (JSON.parse(row.pathway) as Pathway) : null;
    },

    referenceData: () => readReferenceData(db),

    /** The views reflect the log up to the lower of the two projections they join. */
    async checkpoint() {
      const generation = await views.published();
      if (known && known.generation === generation) return known.checkpoint;
      const checkpoint = await views.snapshot(async (g) => {
        const pathways = await readCheckpoint(g, learnerPathway.name);
        const reference = await readCheckpoint(g, referenceData.name);
        return Math.min(pathways?.position ?? 0, reference?.position ?? 0);
      });
      // Only while no newer generation came meanwhile; otherwise the next call reads again.
      if ((await views.published()) === generation) known = { generation, checkpoint };
      return checkpoint;
    },
  };
  return source;
}
