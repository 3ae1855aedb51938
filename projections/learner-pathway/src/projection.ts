import { RULE_SETS } from '@leerroutes/domain';
import { foldPathway, reportingPathwayOf, type Pathway, type PathwayInputEvent } from '@leerroutes/pathway';
import { learnerHistories, type Projection, type ProjectionContext } from '@leerroutes/projection-runtime';

/**
 * Every learner's pathway (the pure fold of the learner's stream) as JSON,
 * plus a cohort index: one row per (cohort type, rule set, cohort, learner).
 * Intake cohorts do not depend on the rule set but get a row per rule set
 * anyway, so every cohort query has the same shape.
 *
 * Reports read neither whole pathways nor every learner: `learner_report`
 * holds the reporting part of each pathway (less than half its JSON), and
 * `covered_date` counts the learners with a row on each reference date, so
 * the covered dates are one small read instead of a scan of everyone.
 */
export const LEARNER_PATHWAY = 'learner_pathway';
export const LEARNER_COHORT = 'learner_cohort';
export const LEARNER_REPORT = 'learner_report';
export const COVERED_DATE = 'covered_date';

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

/** The reference dates a pathway has a row on (each once). */
const datesOf = (p: Pathway): string[] => [...new Set(p.timeline.map((r) => r.referenceDate))];

/**
 * The reference dates the view counts for learners it already knows, read
 * from their stored pathways, so the counts can be moved by the difference.
 */
async function storedDates({ db, t }: ProjectionContext, learnerIds: readonly string[]): Promise<string[]> {
  const dates: string[] = [];
  for (let i = 0; i < learnerIds.length; i += 500) {
    const stored = await db.selectFrom(t(LEARNER_PATHWAY)).select('pathway').where('learner_id', 'in', learnerIds.slice(i, i + 500)).execute();
    for (const r of stored) dates.push(...datesOf(JSON.parse(r.pathway) as Pathway));
  }
  return dates;
}

/** Every row of these learners in the per-learner tables, so what follows writes only fresh rows. */
async function deleteLearners({ db, t }: ProjectionContext, learnerIds: readonly string[]): Promise<void> {
  for (let i = 0; i < learnerIds.length; i += 500) {
    const ids = learnerIds.slice(i, i + 500);
    for (const table of [LEARNER_PATHWAY, LEARNER_REPORT, LEARNER_COHORT]) await db.deleteFrom(t(table)).where('learner_id', 'in', ids).execute();
  }
}

/** Moves the learner counts per reference date; a date nobody has a row on any more goes, as in a rebuild. */
async function countDates({ db, t }: ProjectionContext, removed: readonly string[], added: readonly string[]): Promise<void> {
  const delta = new Map<string, number>();
  for (const d of removed) delta.set(d, (delta.get(d) ?? 0) - 1);
  for (const d of added) delta.set(d, (delta.get(d) ?? 0) + 1);
  const changed = [...delta].filter(([, n]) => n !== 0).sort(([a], [b]) => a.localeCompare(b));
  if (changed.length === 0) return;
  await db
    .insertInto(t(COVERED_DATE))
    .values(changed.map(([reference_date, learners]) => ({ reference_date, learners })))
    .onConflict((oc) => oc.column('reference_date').doUpdateSet((eb) => ({ learners: eb(eb.ref('learners'), '+', eb.ref('excluded.learners')) })))
    .execute();
  await db.deleteFrom(t(COVERED_DATE)).where('learners', '<=', 0).execute();
}

/** The projection with a given fold; tests pass their own, the registry uses `foldPathway`. */
export function learnerPathwayProjection(fold: Fold = foldPathway, version = 2): Projection {
  return {
    name: 'learner-pathway',
    version,
    tables: [LEARNER_PATHWAY, LEARNER_COHORT, LEARNER_REPORT, COVERED_DATE],

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
      await db.schema
        .createTable(t(LEARNER_REPORT))
        .addColumn('learner_id', 'text', (c) => c.primaryKey())
        .addColumn('report', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable(t(COVERED_DATE))
        .addColumn('reference_date', 'text', (c) => c.primaryKey())
        .addColumn('learners', 'integer', (c) => c.notNull())
        .execute();
    },

    async apply(batch, ctx) {
      const histories = await learnerHistories(batch, ctx);
      if (histories.length === 0) return;
      const known = histories.filter((h) => !h.startsHere).map((h) => h.learnerId);
      const storedDatesOfKnown = known.length > 0 ? await storedDates(ctx, known) : [];
      if (known.length > 0) await deleteLearners(ctx, known);
      const pathways = histories.map((h) => fold(h.learnerId, h.events));
      const { t, bulk } = ctx;
      await bulk.insert(t(LEARNER_PATHWAY), ['learner_id', 'pathway'], pathways.map((p) => [p.learnerId, JSON.stringify(p)]));
      await bulk.insert(t(LEARNER_REPORT), ['learner_id', 'report'], pathways.map((p) => [p.learnerId, JSON.stringify(reportingPathwayOf(p))]));
      await bulk.insert(t(LEARNER_COHORT), ['cohort_type', 'rules', 'cohort', 'learner_id'], pathways.flatMap(cohortRows).map((r) => [r.cohort_type, r.rules, r.cohort, r.learner_id]));
      await countDates(ctx, storedDatesOfKnown, pathways.flatMap(datesOf));
    },

    async forgetLearner(learnerId, _events, ctx) {
      await countDates(ctx, await storedDates(ctx, [learnerId]), []);
      await deleteLearners(ctx, [learnerId]);
    },
  };
}

export const learnerPathway: Projection = learnerPathwayProjection();
