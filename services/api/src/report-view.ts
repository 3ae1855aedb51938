/**
 * What the API does to a report on its way out: the disclosure check for
 * suppressed roles and the side-by-side of two rule sets.
 */
import { unprotectedText, type Report, type ReportRow } from '@leerroutes/indicators';
import { roleAtLeast, type Role } from './access/index.js';
import { ProblemError } from './problem.js';

/**
 * Defence in depth: the indicators suppress, the API verifies. A shown count
 * between 1 and minCell-1 means suppression failed, and nothing is sent.
 * A denominator under the threshold (a small group whose counts are all
 * hidden) only reveals a group size, so it is hidden too: hiding more never
 * lets a suppressed cell be recomputed.
 */
export function disclosureChecked(report: Report, minCell: number): Report {
  const threshold = Math.max(minCell, report.minCell);
  let changed = false;
  const rows = report.rows.map((row): ReportRow => {
    if (row.count !== null && row.count > 0 && row.count < threshold) {
      throw new ProblemError('suppression-guard', 500, `A ${report.request.indicator} cell under the threshold of ${threshold} was about to be sent; the response was withheld.`);
    }
    if (row.denominator !== null && row.denominator > 0 && row.denominator < threshold) {
      changed = true;
      return { ...row, denominator: null, percent: null };
    }
    return row;
  });
  return changed ? { ...report, rows } : report;
}

/**
 * SPEC 9: a hidden cell must not be recoverable from any other table the same
 * role can ask for. Where the coarser tables leave small hidden cells of a
 * table no way out (publishing counts them as `unprotected`), the dashboard
 * role, which sees aggregates only, does not get the table. The analyst may
 * read learners themselves, so gets it with the count.
 */
export function unprotectedChecked(report: Report, role: Role): Report {
  const n = report.unprotected ?? 0;
  if (n > 0 && !roleAtLeast(role, 'analyst')) {
    throw new ProblemError('unprotected-cells', 409, `${unprotectedText(report)}, so it is not sent; ask for a coarser breakdown.`);
  }
  return report;
}

const rowKey = (r: Pick<ReportRow, 'group' | 'offset' | 'schoolYear' | 'family' | 'category'>): string =>
  JSON.stringify([Object.entries(r.group).sort(), r.offset, r.schoolYear, r.family, r.category]);

const side = (r: ReportRow | undefined) => r ? { count: r.count, denominator: r.denominator, percent: r.percent, suppressed: r.suppressed, suppression: r.suppression } : null;

/** Rows of two reports on the same cohort joined on their coordinates; a cell one rule set does not produce is null on that side. */
export function sideBySide(a: Report, b: Report) {
  const byKey = new Map<string, { row: ReportRow; a?: ReportRow; b?: ReportRow }>();
  for (const r of a.rows) byKey.set(rowKey(r), { row: r, a: r });
  for (const r of b.rows) {
    const hit = byKey.get(rowKey(r));
    if (hit) hit.b = r; else byKey.set(rowKey(r), { row: r, b: r });
  }
  const notes = [...new Set([...(a.notes ?? []), ...(b.notes ?? [])])];
  return {
    indicator: a.request.indicator,
    rulesA: a.ruleSet,
    rulesB: b.ruleSet,
    minCell: Math.max(a.minCell, b.minCell),
    rows: [...byKey.values()].map(({ row, a: ra, b: rb }) => ({
      group: row.group, offset: row.offset, schoolYear: row.schoolYear, family: row.family, category: row.category, a: side(ra), b: side(rb),
    })),
    ...(notes.length > 0 ? { notes } : {}),
  };
}
