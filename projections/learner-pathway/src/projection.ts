import { RULE_SETS } from '@leerroutes/domain';
import { foldPathway, type Pathway, type PathwayInputEvent } from '@leerroutes/pathway';
import { insertChunked, learnerHistories, type Projection, type ProjectionContext } from '@leerroutes/projection-runtime';

/**
 * Every learner's pathway (the pure fold of the learner's stream) as JSON,
 * plus a cohort index: one row per (cohort type, rule set, cohort, learner).
 * Intake cohorts do not depend on the rule set but get a row per rule set
 * anyway, so every cohort query has the same shape.
 */
export const LEARNER_PATHWAY = 'learner_pathway';
export const LEARNER_COHORT = 'learner_cohort';

export type Fold = (learnerId: string, events: readonly PathwayInputEvent[]) => Pathway;

interface CohortRow { cohort_type: 'advice' | 'intake'; rules: string; cohort: string; learner_id: string }

export function cohortRows(pathway: Pathway): CohortRow[] {
  const rows: CohortRow[] = [];
  for (const rules of Object.keys(RULE_SETS).sort()) {
    const advice = pathway.adviceCohort[rules];
    if (advice) rows.push({ cohort_type: 'advice', rules, cohort: advice, learner_id: pathway.learnerId });
    if (pathway.intakeCohort) rows.push({ cohort_type: 'intake', rules, cohort: pathway.intakeCohort, learner_id: pathway.learnerId });
  }
  return rows;
}

/** Cohort rows of learners the view already holds: read from their stored pathways, so no index on learner_id is needed. */
async function storedCohortRows({ db, t }: ProjectionContext, learnerIds: readonly string[]): Promise<CohortRow[]> {
  const rows: CohortRow[] = [];
  for (let i = 0; i < learnerIds.length; i += 500) {
    const stored = await db.selectFrom(t(LEARNER_PATHWAY)).select('pathway').where('learner_id', 'in', learnerIds.slice(i, i + 500)).execute();
    for (const r of stored) rows.push(...cohortRows(JSON.parse(r.pathway) as Pathway));
  }
  return rows;
}

async function deleteCohortRows({ db, t }: ProjectionContext, rows: readonly CohortRow[]): Promise<void> {
  // Grouped by cohort so each DELETE walks one stretch of the primary key.
  const byCohort = new Map<string, { row: CohortRow; learners: string[] }>();
  for (const row of rows) {
    const key = `${row.cohort_type}\u0000${row.rules}\u0000${row.cohort}`;
    const group = byCohort.get(key);
    if (group) group.learners.push(row.learner_id);
    else byCohort.set(key, { row, learners: [row.learner_id] });
  }
  for (const { row, learners } of byCohort.values()) {
    for (let i = 0; i < learners.length; i += 500) {
      await db
        .deleteFrom(t(LEARNER_COHORT))
        .where('cohort_type', '=', row.cohort_type)
        .where('rules', '=', row.rules)
        .where('cohort', '=', row.cohort)
        .where('learner_id', 'in', learners.slice(i, i + 500))
        .execute();
    }
  }
}

/** The projection with a given fold; tests pass their own, the registry uses `foldPathway`. */
export function learnerPathwayProjection(fold: Fold = foldPathway, version = 1): Projection {
  return {
    name: 'learner-pathway',
    version,
    tables: [LEARNER_PATHWAY, LEARNER_COHORT],

    async createTables(db, t) {
      await db.schema
        .createTable(t(LEARNER_PATHWAY))
        .addColumn('learner_id', 'text', (c) => c.primaryKey())
        .addColumn('pathway', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable(t(LEARNER_COHORT))
        .addColumn('cohort_type', 'text', (c) => c.notNull())
        .addColumn('rules', 'text', (c) => c.notNull())
        .addColumn('cohort', 'text', (c) => c.notNull())
        .addColumn('learner_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint(`${t(LEARNER_COHORT)}_pk`, ['cohort_type', 'rules', 'cohort', 'learner_id'])
        .execute();
    },

    async apply(batch, ctx) {
      const histories = await learnerHistories(batch, ctx);
      if (histories.length === 0) return;
      const known = histories.filter((h) => !h.startsHere).map((h) => h.learnerId);
      if (known.length > 0) await deleteCohortRows(ctx, await storedCohortRows(ctx, known));
      const pathways = histories.map((h) => fold(h.learnerId, h.events));
      const { db, t } = ctx;
      await insertChunked(db, t(LEARNER_PATHWAY), pathways.map((p) => ({ learner_id: p.learnerId, pathway: JSON.stringify(p) })), (q) =>
        q.onConflict((oc) => oc.column('learner_id').doUpdateSet((eb) => ({ pathway: eb.ref('excluded.pathway') }))),
      );
      await insertChunked(db, t(LEARNER_COHORT), pathways.flatMap(cohortRows));
    },

    async forgetLearner(learnerId, _events, ctx) {
      await deleteCohortRows(ctx, await storedCohortRows(ctx, [learnerId]));
      await ctx.db.deleteFrom(ctx.t(LEARNER_PATHWAY)).where('learner_id', '=', learnerId).execute();
    },
  };
}

export const learnerPathway: Projection = learnerPathwayProjection();
