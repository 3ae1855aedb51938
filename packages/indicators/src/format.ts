/**
 * Report output: a readable table, JSON, or flat CSV (group dimensions as their
 * own columns) that R, Python and DuckDB read directly.
 */
import type { Report, ReportRow } from './contract.js';

export type ReportFormat = 'table' | 'json' | 'csv';

/** Group keys in request order, then any extra keys (e.g. `sector`). */
function groupColumns(report: Report): string[] {
  const cols = [...report.request.by];
  for (const r of report.rows) for (const k of Object.keys(r.group)) if (!cols.includes(k)) cols.push(k);
  return cols;
}

const hasEdges = (rows: readonly ReportRow[]) => rows.some((r) => r.from !== undefined);

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const hasSpread = (rows: readonly ReportRow[]) => rows.some((r) => r.spread !== undefined);

function columns(report: Report): { header: string[]; values: (r: ReportRow) => unknown[] } {
  const groups = groupColumns(report);
  const edges = hasEdges(report.rows);
  const spread = hasSpread(report.rows);
  const header = [
    ...groups, 'offset', 'school_year', ...(edges ? ['from', 'to'] : []), 'family', 'category', 'count', 'denominator', 'percent', 'suppressed', 'suppression',
    ...(spread ? ['spread_years', 'spread_min', 'spread_max', 'spread_sd'] : []),
  ];
  const values = (r: ReportRow): unknown[] => [
    ...groups.map((g) => r.group[g] ?? ''), r.offset, r.schoolYear, ...(edges ? [r.from, r.to] : []),
    r.family, r.category, r.count, r.denominator, r.percent, r.suppressed, r.suppression,
    ...(spread ? [r.spread?.years, r.spread?.min, r.spread?.max, r.spread?.sd] : []),
  ];
  return { header, values };
}

/** What a report's `unprotected` count means, in words (the CLI's warnings and the API's refusal say the same). */
export function unprotectedText(report: Pick<Report, 'request' | 'unprotected'>): string {
  const n = report.unprotected ?? 0;
  const by = report.request.by.length ? ` by ${report.request.by.join(', ')}` : '';
  return `${n} small hidden cell${n === 1 ? '' : 's'} of this ${report.request.indicator} table${by} can be worked out from tables with fewer or coarser breakdowns`;
}

/** A report's CSV a line at a time (without line breaks): its header, and the line of each row. */
export function csvWriter(report: Report): { readonly header: string; readonly line: (row: ReportRow) => string } {
  const { header, values } = columns(report);
  return { header: header.join(','), line: (r) => values(r).map(csvCell).join(',') };
}

export function formatReport(report: Report, format: ReportFormat): string {
  if (format === 'json') return JSON.stringify(report, null, 2) + '\n';
  if (format === 'csv') {
    const csv = csvWriter(report);
    return [csv.header, ...report.rows.map(csv.line)].join('\n') + '\n';
  }
  const { header, values } = columns(report);
  // For people, columns that are empty on every row are left out (CSV keeps them: stable columns for scripts).
  const unused = new Set<number>();
  const offsetAt = header.indexOf('offset');
  const yearAt = header.indexOf('school_year');
  if (report.rows.every((r) => r.offset === null)) unused.add(offsetAt);
  if (report.rows.every((r) => r.schoolYear === null)) unused.add(yearAt);
  const cells = report.rows.map((r) => values(r).map((v, i) => {
    if (v === null || v === undefined) return header[i] === 'count' || header[i] === 'denominator' || header[i] === 'percent' ? (r.suppressed || v === null ? '*' : '') : '';
    if (typeof v === 'boolean') return v ? 'yes' : '';
    return String(v);
  }));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const numeric = new Set(['offset', 'count', 'denominator', 'percent']);
  const line = (c: string[]) =>
    c.map((v, i) => (numeric.has(header[i]!) ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).filter((_, i) => !unused.has(i)).join('  ').trimEnd();
  const req = report.request;
  const scope = (asKnownOn?: string, asOf?: string) => `${asKnownOn ? `, as known on ${asKnownOn}` : ''}${asOf ? `, facts up to school year ${asOf}` : ''}`;
  const src = report.source.kind === 'views'
    ? `views at position ${report.source.checkpoint}${scope(report.source.asKnownOn, report.source.asOfSchoolYear)}`
    : `log as known on ${report.source.asKnownOn}${report.source.asOfSchoolYear ? `, facts up to school year ${report.source.asOfSchoolYear}` : ''} (head ${report.source.head})`;
  const title = [
    `${req.indicator} — ${req.cohort ? `${req.cohortType} cohort ${req.cohort}` : 'everyone'} — rules ${report.ruleSet.name} v${report.ruleSet.version}${req.by.length ? ` — by ${req.by.join(', ')}` : ''}`,
    `source: ${src}; ${report.suppressed ? `cells under ${report.minCell} suppressed (*)` : 'UNSUPPRESSED'}`,
    ...(report.unprotected ? [`WARNING: ${unprotectedText(report)}; do not publish it as it is (ask for a coarser breakdown)`] : []),
    '',
  ];
  if (report.rows.length === 0) return [...title, '(no rows)'].join('\n') + '\n';
  return [...title, line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}
