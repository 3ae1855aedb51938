/**
 * A learner's explanation for people: the events in valid-time order (retracted
 * ones marked), the pathway, and per rule set each classification with its rule.
 */
import type { LearnerExplanation } from './explain.js';

export function formatLearner(e: LearnerExplanation, format: 'table' | 'json', options: { events?: boolean } = {}): string {
  if (format === 'json') return JSON.stringify(e, null, 2) + '\n';
  const p = e.pathway;
  const out: string[] = [];
  out.push(`Learner ${e.learnerId}${e.asKnownOn ? ` as known on ${e.asKnownOn}` : ''}`);
  if (p.registration) out.push(`  born ${p.registration.birthMonth}, gender ${p.registration.gender}`);
  out.push(`  intake cohort ${p.intakeCohort ?? '-'}; leerjaar3 cohort ${p.leerjaar3Cohort ?? '-'}; advice cohort ${Object.entries(p.adviceCohort).map(([r, c]) => `${r} ${c ?? '-'}`).join(', ')}`);
  out.push(`  route ${p.summary.route}${p.summary.stacked ? ` (stacked, ${p.summary.stackSuccess ? 'succeeded' : 'not (yet) succeeded'})` : ''}; now ${p.summary.currentStatus}`);
  out.push(`  years in VO ${p.summary.yearsInVo}, repeated ${p.summary.repetitions}, switched school ${p.summary.switches}, startkwalificatie ${p.summary.startkwalificatie ? 'yes' : 'no'}${p.summary.earlyLeaver ? ', early leaver' : ''}`);
  if (options.events !== false) {
    out.push('', 'Events (valid-time order; x = retracted by a correction):');
    for (const ev of e.events) {
      out.push(`  ${ev.retracted ? 'x' : ' '} ${(ev.occurredOn ?? '').padEnd(10)}  ${ev.type.padEnd(20)}  ${ev.summary}  [${ev.eventId}, known ${ev.knownAt.slice(0, 10)}]`);
    }
  }
  out.push('', 'Timeline:');
  for (const r of p.timeline) {
    out.push(`  ${r.referenceDate}  ${r.sector.padEnd(3)}  ${r.institution.padEnd(8)}  ${r.level.code.padEnd(16)}  grade ${r.grade ?? '-'}${r.track ? `  ${r.track}` : ''}`);
  }
  if (p.diplomas.length) out.push('', 'Diplomas:', ...p.diplomas.map((d) => `  ${d.occurredOn}  ${d.level.padEnd(8)}  ${d.institution}`));
  for (const rs of e.ruleSets) {
    out.push('', `Rule set ${rs.name} v${rs.version}: reference advice ${rs.referenceAdvice ? `${rs.referenceAdvice.level.code} (${rs.referenceAdvice.kind} ${rs.referenceAdvice.occurredOn})` : 'none'}`);
    for (const c of rs.classifications) out.push(`  ${c.subject.padEnd(15)}  ${c.rule}`);
  }
  return out.join('\n') + '\n';
}

/**
 * A cell named on the command line: `category=afstroom,offset=3,school-year=2014-2015,group.area=ZUID`.
 * Returns the cell or the reasons it is not one.
 */
export function parseCellSpec(spec: string): { group: Record<string, string>; offset: number | null; schoolYear: string | null; category: string; family?: string } | string[] {
  const errors: string[] = [];
  const group: Record<string, string> = {};
  let offset: number | null = null;
  let schoolYear: string | null = null;
  let category: string | null = null;
  let family: string | null = null;
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) { errors.push(`'${part}' is not key=value`); continue; }
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (k === 'category') category = v;
    else if (k === 'family') family = v;
    else if (k === 'offset') {
      if (!/^-?\d+$/.test(v)) errors.push(`offset must be a whole number, got '${v}'`);
      else offset = Number(v);
    } else if (k === 'school-year' || k === 'schoolYear' || k === 'school_year') schoolYear = v;
    else if (k.startsWith('group.')) group[k.slice(6)] = v;
    else errors.push(`unknown cell key '${k}' (category, family, offset, school-year, group.<dimension>)`);
  }
  if (category === null) errors.push('a cell needs category=...');
  return errors.length ? errors : { group, offset, schoolYear, category: category!, ...(family !== null ? { family } : {}) };
}
