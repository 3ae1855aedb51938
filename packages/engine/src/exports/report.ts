/**
 * A report as an export file: the columns of `pathways report --format csv`
 * (the group's dimensions, offset, school year, edges, family, category,
 * count, denominator, percent, suppressed, suppression, spread), typed. A
 * group column is named by its dimension with ':' as '_' (`area:2` is
 * `area_2`), which R, pandas and SQL take without quoting.
 */
import type { ExportColumn, Report, ReportRow } from '@leerroutes/indicators';

const columnName = (key: string): string => key.replace(/[^A-Za-z0-9_]/g, '_');

export interface ReportTable {
  readonly columns: readonly ExportColumn[];
  readonly rows: readonly (readonly unknown[])[];
}

export function reportTable(report: Report): ReportTable {
  const groups = [...report.request.by];
  for (const r of report.rows) for (const k of Object.keys(r.group)) if (!groups.includes(k)) groups.push(k);
  const edges = report.rows.some((r) => r.from !== undefined);
  const spread = report.rows.some((r) => r.spread !== undefined);
  const columns: ExportColumn[] = [
    ...groups.map((g): ExportColumn => ({ name: columnName(g), type: 'VARCHAR', description: `breakdown: ${g}` })),
    { name: 'offset', type: 'INTEGER', description: "offset from the cohort's start year, where the indicator has one" },
    { name: 'school_year', type: 'VARCHAR', description: 'school year, for the indicators per school year' },
    ...(edges ? [
      { name: 'from', type: 'VARCHAR', description: "the edge's start" } as const,
      { name: 'to', type: 'VARCHAR', description: "the edge's end" } as const,
    ] : []),
    { name: 'family', type: 'VARCHAR', description: 'the family the category belongs to' },
    { name: 'category', type: 'VARCHAR', description: 'the category' },
    { name: 'count', type: 'INTEGER', description: 'learners (or occurrences) in the cell; null when suppressed' },
    { name: 'denominator', type: 'INTEGER', description: "the family's total in the group; null when suppressed" },
    { name: 'percent', type: 'DOUBLE', description: 'count of denominator, 0..100 with one decimal; null when suppressed' },
    { name: 'suppressed', type: 'BOOLEAN', description: 'the count is hidden' },
    { name: 'suppression', type: 'VARCHAR', description: 'primary or complementary; null when shown' },
    ...(spread ? [
      { name: 'spread_years', type: 'INTEGER', description: 'yearly percentages published' } as const,
      { name: 'spread_min', type: 'DOUBLE', description: 'their minimum' } as const,
      { name: 'spread_max', type: 'DOUBLE', description: 'their maximum' } as const,
      { name: 'spread_sd', type: 'DOUBLE', description: 'their population standard deviation' } as const,
    ] : []),
  ];
  const row = (r: ReportRow): unknown[] => [
    ...groups.map((g) => r.group[g] ?? null), r.offset, r.schoolYear, ...(edges ? [r.from ?? null, r.to ?? null] : []),
    r.family, r.category, r.count, r.denominator, r.percent, r.suppressed, r.suppression,
    ...(spread ? [r.spread?.years ?? null, r.spread?.min ?? null, r.spread?.max ?? null, r.spread?.sd ?? null] : []),
  ];
  return { columns, rows: report.rows.map(row) };
}
