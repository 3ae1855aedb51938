import type { ReportRow } from '@leerroutes/indicators';

/** The report shapes as the browser sees them (the API's long format), and how the charts read them. */
/** One long-format row, exactly the report contract the API serves (a type-only import: nothing of it is bundled). */
export type Row = ReportRow;
export interface Report {
  readonly request: { indicator: string; cohortType: string; cohort: string | null; rules: string; by: string[] };
  readonly ruleSet: { name: string; version: number };
  readonly rows: Row[];
  readonly minCell: number;
  readonly source: { kind: string; checkpoint?: number };
}
export interface CompareSide { count: number | null; denominator: number | null; percent: number | null; suppressed: boolean }
export interface Compare {
  readonly indicator: string;
  readonly rulesA: { name: string; version: number };
  readonly rulesB: { name: string; version: number };
  readonly minCell: number;
  readonly rows: { group: Record<string, string>; offset: number | null; schoolYear: string | null; category: string; a: CompareSide | null; b: CompareSide | null }[];
}
export interface Meta {
  indicators: string[];
  dimensions: string[];
  ruleSets: { name: string; version: number }[];
  cohorts: { advice: Record<string, string[]>; intake: string[] };
  minCell: number;
}

export const groupLabel = (group: Readonly<Record<string, string>>): string =>
  Object.keys(group).length ? Object.entries(group).map(([k, v]) => `${k}=${v}`).join(', ') : 'all';

/** The label a chart shows: the values only (the breakdown is named in the title). */
export const groupShort = (group: Readonly<Record<string, string>>): string =>
  Object.keys(group).length ? Object.values(group).join(' · ') : 'all';

/** Groups in a stable order (as the report lists them). */
export function groups(rows: readonly Row[]): { key: string; group: Readonly<Record<string, string>> }[] {
  const seen = new Map<string, Readonly<Record<string, string>>>();
  for (const r of rows) { const k = groupLabel(r.group); if (!seen.has(k)) seen.set(k, r.group); }
  return [...seen].map(([key, group]) => ({ key, group }));
}

const CLASSES = ['opstroom', 'half-opstroom', 'gelijk', 'half-afstroom', 'afstroom', 'not-comparable', 'no-vo-diploma', 'repeated', 'stacked', 'switched-school'];
const VO = ['pro', 'vmbo-b', 'vmbo-b/k', 'vmbo-bk', 'vmbo-k', 'vmbo-k/t', 'vmbo-g', 'vmbo-gt', 'vmbo-t', 'vmbo-t/havo', 'havo', 'havo/vwo', 'vmbo-t/havo/vwo', 'vwo', 'vso', 'unknown'];
/** Classes first, then the states in school order: po, VO levels low to high, mbo, hbo, wo, leaving, unknown. */
function rank(c: string): number {
  const cls = CLASSES.indexOf(c);
  if (cls >= 0) return cls;
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

export const shown = (n: number | null, minCell: number): string => n === null ? `<${minCell}` : String(n);
export const pct = (p: number | null): string => p === null ? '–' : `${p.toFixed(1)}%`;

/** The report rows as CSV (what the chart shows, for the download button). */
export function rowsCsv(rows: readonly Row[], by: readonly string[]): string {
  const q = (v: unknown) => { const s = v === null || v === undefined ? '' : String(v); return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s; };
  const head = [...by, 'offset', 'school_year', 'from', 'to', 'category', 'count', 'denominator', 'percent', 'suppressed'];
  return [head.join(','), ...rows.map((r) => [...by.map((d) => r.group[d]), r.offset, r.schoolYear, r.from, r.to, r.category, r.count, r.denominator, r.percent, r.suppressed].map(q).join(','))].join('\n') + '\n';
}
