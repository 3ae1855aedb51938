/**
 * The test oracle of the statistics read path: a report computed by folding
 * every learner of the request again and counting unit by unit, over any
 * PathwaySource (an in-memory population, or a replay of the log as known on
 * a date). Slow by design and never on a serving path; the tests hold the
 * SQL over the statistics projection (../sql) equal to it.
 */
import { effectiveMinCell, ruleSetNamed, type RuleSet } from '@leerroutes/domain';
import type { EventStore } from '@leerroutes/event-store';
import { cohortOf, type PathwaySource, type ReportingPathway } from '@leerroutes/pathway';
import type { Report, ReportRequest } from '../contract.js';
import { unitInCell, unitsOf, weightGroupsNeeded, type ComputeInput } from './compute.js';
import { countTableOf, type GroupedUnit } from './aggregate.js';
import { WeightShares } from './dimensions.js';
import { publishChecked, relatedRequests } from '../publish.js';
import { ReportError, checkRequest } from '../request.js';
import { isReplaySource, replayAsKnownOn } from './replay.js';
import type { CellRef, RuleSetComparison } from '../sql/report.js';

export interface OracleDeps {
  readonly pathways: PathwaySource;
  readonly store: EventStore;
}

interface Resolved {
  readonly source: PathwaySource;
  readonly origin: Report['source'];
}

async function resolveSource(request: ReportRequest, deps: OracleDeps): Promise<Resolved> {
  if (request.asKnownOn || request.asOfSchoolYear) {
    const validUntil = request.asOfSchoolYear ? `${Number(request.asOfSchoolYear.slice(0, 4)) + 1}-07-31` : null;
    const replay = await replayAsKnownOn(deps.store, request.asKnownOn ?? null, validUntil);
    return {
      source: replay.source,
      origin: {
        kind: 'log', asKnownOn: request.asKnownOn ?? 'latest', head: replay.head,
        ...(request.asOfSchoolYear ? { asOfSchoolYear: request.asOfSchoolYear } : {}),
      },
    };
  }
  return { source: deps.pathways, origin: { kind: 'views', checkpoint: await deps.pathways.checkpoint() } };
}

/** Covered reference dates: from the source's record of complete counts (an in-memory source without one: none). */
const coveredOf = async (source: PathwaySource): Promise<string[]> => (await source.coveredReferenceDates?.()) ?? [];

/** The terciles of weighted learners per institution: one pass over everyone. */
async function weightGroupsOf(source: PathwaySource): Promise<Map<string, string>> {
  const shares = new WeightShares();
  for await (const batch of source.allPathways()) for (const p of batch) shares.add(p);
  return shares.groups();
}

/** The learners a request is about: its cohort (the reporting part when the source keeps it), or everyone (per-school-year indicators without a cohort). */
async function* learnersOf(request: ReportRequest, source: PathwaySource): AsyncIterable<readonly ReportingPathway[]> {
  if (request.cohort === null) yield* source.allPathways();
  // A replayed cohort comes in batches: a national cohort's pathways are never all in memory at once.
  else if (isReplaySource(source)) yield* source.cohortBatches(request.cohortType, request.rules, request.cohort);
  else if (request.cohortType === 'leerjaar3') {
    // The views index advice and intake cohorts only: a leerjaar-3 cohort is found among everyone.
    const rules = ruleSetNamed(request.rules)!;
    for await (const batch of source.allPathways()) yield batch.filter((p) => cohortOf(p, 'leerjaar3', rules) === request.cohort);
  } else if (source.cohortReportingPathways) yield await source.cohortReportingPathways(request.cohortType, request.rules, request.cohort);
  else yield await source.cohortPathways(request.cohortType, request.rules, request.cohort);
}

async function computeInputOf(request: ReportRequest, source: PathwaySource): Promise<ComputeInput> {
  const [ref, covered, weightGroups] = await Promise.all([
    source.referenceData(), coveredOf(source), weightGroupsNeeded(request) ? weightGroupsOf(source) : Promise.resolve(undefined),
  ]);
  return { ref, covered, ...(weightGroups ? { weightGroups } : {}) };
}

/** The units of a request and of the related requests publishing it needs, in one pass over its learners. */
async function collectUnits(request: ReportRequest, rules: RuleSet, source: PathwaySource): Promise<{ units: GroupedUnit[]; related: Map<string, GroupedUnit[]> }> {
  const input = await computeInputOf(request, source);
  const units: GroupedUnit[] = [];
  const related = new Map(relatedRequests(request).map((r) => [JSON.stringify(r), { r, units: [] as GroupedUnit[] }]));
  for await (const batch of learnersOf(request, source)) {
    for (const u of unitsOf(request, rules, batch, input)) units.push(u);
    for (const { r, units: list } of related.values()) for (const u of unitsOf(r, rules, batch, input)) list.push(u);
  }
  return { units, related: new Map([...related].map(([k, v]) => [k, v.units])) };
}

async function reportOf(request: ReportRequest, rules: RuleSet, origin: Report['source'], collected: Awaited<ReturnType<typeof collectUnits>>): Promise<Report> {
  const { rows, unprotected } = await publishChecked(request, countTableOf(collected.units), {
    related: async (r) => countTableOf(collected.related.get(JSON.stringify(r)) ?? []),
  });
  return {
    request,
    ruleSet: { name: rules.name, version: rules.version },
    rows,
    source: origin,
    minCell: effectiveMinCell(request.minCell),
    suppressed: request.unsuppressed !== true,
    ...(request.unsuppressed === true ? {} : { unprotected }),
  };
}

/** A report over the source (or, as known on a date or as of a year, over a replay of the store). */
export async function oracleReport(request: ReportRequest, deps: OracleDeps): Promise<Report> {
  const rules = checkRequest(request);
  const resolved = await resolveSource(request, deps);
  return reportOf(request, rules, resolved.origin, await collectUnits(request, rules, resolved.source));
}

/** The learner ids behind one cell (privileged: the caller checks the role and audits the read). */
export async function oracleCell(request: ReportRequest, cell: CellRef, deps: OracleDeps): Promise<{ learnerIds: string[] }> {
  const rules = checkRequest(request);
  const { source } = await resolveSource(request, deps);
  const { units } = await collectUnits(request, rules, source);
  const ids = new Set<string>();
  for (const u of units) if (unitInCell(u, cell)) ids.add(u.learnerId);
  return { learnerIds: [...ids].sort() };
}

const signature = (units: readonly GroupedUnit[]): string[] =>
  units.map((u) => {
    const at = [u.unit.offset !== null ? `offset ${u.unit.offset}` : null, u.unit.schoolYear].filter((x) => x !== null).join(' ');
    return `${at ? `${at} ` : ''}${u.unit.family}: ${u.unit.categories.join(',') || '-'}`;
  }).sort();

export async function oracleCompare(request: ReportRequest, rulesA: string, rulesB: string, deps: OracleDeps): Promise<RuleSetComparison> {
  for (const r of [rulesA, rulesB]) if (!ruleSetNamed(r)) throw new ReportError('not-found', `unknown rule set '${r}'`);
  const reqA = { ...request, rules: rulesA };
  const reqB = { ...request, rules: rulesB };
  const [ra, rb] = [checkRequest(reqA), checkRequest(reqB)];
  const { source, origin } = await resolveSource(request, deps);
  const collectedA = await collectUnits(reqA, ra, source);
  const collectedB = await collectUnits(reqB, rb, source);
  const [unitsA, unitsB] = [collectedA.units, collectedB.units];
  const a = await reportOf(reqA, ra, origin, collectedA);
  const b = await reportOf(reqB, rb, origin, collectedB);
  const byLearner = (units: GroupedUnit[]) => {
    const m = new Map<string, GroupedUnit[]>();
    for (const u of units) {
      const l = m.get(u.learnerId);
      if (l) l.push(u);
      else m.set(u.learnerId, [u]);
    }
    return m;
  };
  const ma = byLearner(unitsA);
  const mb = byLearner(unitsB);
  const differing: { learnerId: string; a: string[]; b: string[] }[] = [];
  for (const id of [...new Set([...ma.keys(), ...mb.keys()])].sort()) {
    const sa = ma.has(id) ? signature(ma.get(id)!) : ['not in cohort'];
    const sb = mb.has(id) ? signature(mb.get(id)!) : ['not in cohort'];
    // Only what differs: the classifications one rule set gives and the other does not.
    if (sa.join('\n') !== sb.join('\n')) differing.push({ learnerId: id, a: sa.filter((x) => !sb.includes(x)), b: sb.filter((x) => !sa.includes(x)) });
  }
  return { a, b, differing };
}
