import type { ReportRow } from '@leerroutes/indicators';

/** The report shapes as the browser sees them (the API's long format), and how the charts read them. */
/** One long-format row, exactly the report contract the API serves (a type-only import: nothing of it is bundled). */
export type Row = ReportRow;
export type Suppression = ReportRow['suppression'];
export interface Report {
  readonly request: { indicator: string; cohortType: string; cohort: string | null; rules: string; by: string[]; asOfSchoolYear?: string };
  readonly ruleSet: { name: string; version: number };
  readonly rows: Row[];
  readonly minCell: number;
  readonly source: { kind: string; checkpoint?: number };
  /** Hidden cells a reader can still work out from this table and its coarser tables. */
  readonly unprotected?: number;
  /** What a reader should know, such as a cohort the views do not hold in the edition asked for. */
  readonly notes?: string[];
}
export interface CompareSide { count: number | null; denominator: number | null; percent: number | null; suppressed: boolean; suppression?: Suppression }
export interface CompareRow { group: Record<string, string>; offset: number | null; schoolYear: string | null; family?: string; category: string; a: CompareSide | null; b: CompareSide | null }
export interface Compare {
  readonly indicator: string;
  readonly rulesA: { name: string; version: number };
  readonly rulesB: { name: string; version: number };
  readonly minCell: number;
  readonly rows: CompareRow[];
  readonly notes?: string[];
}
export interface Meta {
  indicators: string[];
  dimensions: string[];
  ruleSets: { name: string; version: number }[];
  cohorts: { advice: Record<string, string[]>; intake: string[]; leerjaar3?: string[] };
  /** Covered school years: what `asOf` can name (older servers leave it out). */
  schoolYears?: string[];
  /** Area and institution names from the reference data (older servers leave it out: codes are shown). */
  names?: { area: Record<string, string>; institution: Record<string, string> };
  minCell: number;
}

/** A group's key as the API spells it (codes): what marks carry in data-group and what the tests compare. */
export const groupLabel = (group: Readonly<Record<string, string>>): string =>
  Object.keys(group).length ? Object.entries(group).map(([k, v]) => `${k}=${v}`).join(', ') : 'all';

/** Groups in a stable order (as the report lists them). */
export function groups(rows: readonly { group: Readonly<Record<string, string>> }[]): { key: string; group: Readonly<Record<string, string>> }[] {
  const seen = new Map<string, Readonly<Record<string, string>>>();
  for (const r of rows) { const k = groupLabel(r.group); if (!seen.has(k)) seen.set(k, r.group); }
  return [...seen].map(([key, group]) => ({ key, group }));
}

const CLASSES = ['opstroom', 'half-opstroom', 'gelijk', 'half-afstroom', 'afstroom', 'not-comparable', 'no-advice', 'no-vo-diploma', 'repeated', 'stacked', 'switched-school'];
const VO = ['pro', 'vmbo-b', 'vmbo-b/k', 'vmbo-bk', 'vmbo-k', 'vmbo-k/t', 'vmbo-g', 'vmbo-gt', 'vmbo-t', 'vmbo-t/havo', 'havo', 'havo/vwo', 'vmbo-t/havo/vwo', 'vwo', 'vso', 'unknown'];
const AFTER_MBO = ['mbo-higher', 'mbo-same', 'mbo-lower', 'hbo', 'wo', 'vo', 'not-enrolled'];
/** Classes first, then the states in school order: po, VO levels low to high, mbo, hbo, wo, leaving, unknown. */
function rank(c: string): number {
  const cls = CLASSES.indexOf(c);
  if (cls >= 0) return cls;
  const after = AFTER_MBO.indexOf(c);
  if (after >= 0) return 12 + after;
  if (c === 'po') return 20;
  if (c.startsWith('vo:')) { const v = VO.indexOf(c.slice(3)); return 21 + (v < 0 ? VO.length : v) * 0.5; }
  const mbo = /^mbo-(\d)$/.exec(c);
  if (mbo) return 40 + Number(mbo[1]);
  const order = ['hbo', 'wo', 'left-with-startkwalificatie', 'left-without-startkwalificatie', 'unknown'];
  const o = order.indexOf(c);
  return o >= 0 ? 50 + o : 45;
}
export function categoryOrder(categories: Iterable<string>): string[] {
  return [...new Set(categories)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** How a cell is drawn: shown, or hidden for one of the two reasons the API gives. */
export type CellKind = 'shown' | 'primary' | 'complementary';
/** A hidden count without a reason is treated as complementary: nothing about its size is implied. */
export const cellKind = (r: { count: number | null; suppression?: Suppression }): CellKind =>
  r.count !== null ? 'shown' : r.suppression === 'primary' ? 'primary' : 'complementary';

/** What a hidden cell reads: under the threshold (primary), or just hidden (complementary: it may be any size). */
export const hiddenText = (kind: Exclude<CellKind, 'shown'>, minCell: number): string => kind === 'primary' ? `<${minCell}` : 'hidden';

/** A count as it reads in a chart or table. */
export const countText = (r: { count: number | null; suppression?: Suppression }, minCell: number): string => {
  const kind = cellKind(r);
  return kind === 'shown' ? String(r.count) : hiddenText(kind, minCell);
};
/** A hidden group total may be of any size: it reads "hidden", never "<10". */
export const denominatorText = (d: number | null): string => d === null ? 'hidden' : String(d);
export const pct = (p: number | null): string => p === null ? '–' : `${p.toFixed(1)}%`;

/**
 * The published total of one instance (the rows of one group, offset or
 * school year and family), or null when it is hidden.
 */
export const totalOf = (rows: readonly Row[]): number | null => rows.find((r) => r.denominator !== null)?.denominator ?? null;

/**
 * Whether an instance's shares may be drawn: its total is published and so is
 * the percentage of every shown cell. Otherwise a chart shows counts only.
 */
export const sharesPublished = (rows: readonly Row[]): boolean =>
  rows.length > 0 && rows.every((r) => r.denominator !== null) && rows.every((r) => r.count === null || r.percent !== null);

/** The report rows as CSV (what the chart shows, for the download button). */
export function rowsCsv(rows: readonly Row[], by: readonly string[]): string {
  const q = (v: unknown) => { const s = v === null || v === undefined ? '' : String(v); return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s; };
  const keys = [...new Set([...by, ...rows.flatMap((r) => Object.keys(r.group))])];
  const head = [...keys, 'offset', 'school_year', 'family', 'from', 'to', 'category', 'count', 'denominator', 'percent', 'suppressed', 'suppression'];
  return [head.join(','), ...rows.map((r) => [...keys.map((d) => r.group[d]), r.offset, r.schoolYear, r.family, r.from, r.to, r.category, r.count, r.denominator, r.percent, r.suppressed, r.suppression].map(q).join(','))].join('\n') + '\n';
}
