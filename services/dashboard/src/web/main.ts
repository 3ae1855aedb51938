/**
 * The dashboard: pick a cohort, a rule set, a breakdown and an as-of school
 * year; one view at a time fetches only what it shows. The selection lives in
 * the URL hash so a view can be bookmarked; the API key lives in
 * sessionStorage (or is handed to the page by `serve --open-dashboard`).
 */
import { ApiClient, ApiError } from './api.js';
import { chartFrame, type TableCell, type TableSpec } from './frame.js';
import { categoryHelp, categoryLabel, dimensionLabel, groupText, groupTitle, helpTerms, nodeLabel, setNames, STAGES, stageIndex } from './labels.js';
import { cellKind, countText, groupLabel, groups, pct, rowsCsv, type Compare, type Meta, type Report, type Row } from './model.js';
import { compareBars } from './charts/compare.js';
import { groupBars } from './charts/hbars.js';
import { rateLines } from './charts/lines.js';
import { profileDots } from './charts/profile.js';
import { flowSankey, flowTableRows } from './charts/sankey.js';
import { stackedColumns } from './charts/stacked.js';
import { h, hiddenWhy } from './svg.js';

const VIEWS = [
  { id: 'flows', label: 'Flows' },
  { id: 'distribution', label: 'Levels per year' },
  { id: 'streams', label: 'Streaming rates' },
  { id: 'advice-position', label: 'Year 3 vs advice' },
  { id: 'compare', label: 'Compare rule sets' },
  { id: 'school-profile', label: 'School profiles' },
  { id: 'after-mbo', label: 'After an mbo diploma' },
] as const;
type View = (typeof VIEWS)[number]['id'];
/** Views of an indicator per school year: over everyone, or over the selected cohort's learners. */
const PER_YEAR: readonly View[] = ['school-profile', 'after-mbo'];
const COHORT_TYPES = [['advice', 'advice cohort'], ['intake', 'intake cohort (year 1)'], ['leerjaar3', 'year-3 cohort']] as const;
type CohortType = (typeof COHORT_TYPES)[number][0];
const PROFILE_CATEGORIES = ['opstroom', 'half-opstroom', 'gelijk', 'half-afstroom', 'afstroom', 'not-comparable', 'stacked', 'repeated', 'switched-school'];

interface Selection {
  view: View; cohortType: CohortType; cohort: string; rules: string; by: string; asOf: string; rulesB: string;
  compareIndicator: string; group: string; scope: 'all' | 'cohort'; profileCategory: string;
}

const $ = <T extends HTMLElement>(sel: string) => document.querySelector<T>(sel)!;
const status = (text: string, error = false) => { const s = $('#status'); s.textContent = text; s.classList.toggle('error', error); };

let api: ApiClient;
let meta: Meta;
let sel: Selection;

function readHash(): Partial<Record<keyof Selection, string>> {
  return Object.fromEntries(new URLSearchParams(location.hash.slice(1))) as Partial<Record<keyof Selection, string>>;
}
function writeHash(): void {
  const p = new URLSearchParams(Object.entries(sel).filter(([, v]) => v !== '') as [string, string][]);
  history.replaceState(null, '', `#${p}`);
}

const isCohortType = (v: string | undefined): v is CohortType => COHORT_TYPES.some(([t]) => t === v);
const cohortsFor = (type: CohortType, rules: string): string[] =>
  type === 'intake' ? meta.cohorts.intake : type === 'leerjaar3' ? meta.cohorts.leerjaar3 ?? [] : meta.cohorts.advice[rules] ?? [];
/** What asOf can name: the covered school years, or (older servers) the cohorts' years. */
const schoolYears = (): string[] => meta.schoolYears ?? [...new Set([...Object.values(meta.cohorts.advice).flat(), ...meta.cohorts.intake, ...(meta.cohorts.leerjaar3 ?? [])])].sort();
const perYear = () => PER_YEAR.includes(sel.view);
const cohortUsed = () => !perYear() || sel.scope === 'cohort';

/** The school year at an offset from the cohort's start, as 2012/13. */
const xLabel = (offset: number) => {
  const start = Number(sel.cohort.slice(0, 4)) + offset;
  return `${start}/${String((start + 1) % 100).padStart(2, '0')}`;
};
const yearLabel = (schoolYear: string) => `${schoolYear.slice(0, 4)}/${schoolYear.slice(7, 9)}`;

function fillSelect(select: HTMLSelectElement, options: readonly (string | readonly [string, string])[], value: string): void {
  select.replaceChildren(...options.map((o) => { const [v, label] = typeof o === 'string' ? [o, o] : o; return h('option', { value: v, selected: v === value }, label); }));
  if (!Array.from(select.options).some((o) => o.selected) && select.options[0]) select.options[0].selected = true;
}

function syncControls(): void {
  fillSelect($('#cohortType'), COHORT_TYPES, sel.cohortType);
  const rules = meta.ruleSets.map((r) => r.name);
  fillSelect($('#rules'), rules, sel.rules);
  fillSelect($('#rulesB'), rules, sel.rulesB);
  const cohorts = cohortsFor(sel.cohortType, sel.rules);
  if (!cohorts.includes(sel.cohort)) sel.cohort = cohorts[Math.floor(cohorts.length / 2)] ?? '';
  fillSelect($('#cohort'), cohorts, sel.cohort);
  $<HTMLSelectElement>('#cohort').disabled = !cohortUsed();
  $<HTMLSelectElement>('#cohortType').disabled = !cohortUsed();
  fillSelect($('#asOf'), [['', 'latest (all years)'], ...schoolYears().map((y): [string, string] => [y, `end of ${y}`])], sel.asOf);
  fillSelect($('#scope'), [['all', 'everyone, per school year'], ['cohort', 'the selected cohort only']], sel.scope);
  $('#scope-field').hidden = !perYear();
  // `level` is a breakdown of the per-school-year indicators only.
  if (sel.by === 'level' && !perYear()) sel.by = '';
  const dims: [string, string][] = [['', 'none'], ...meta.dimensions.filter((d) => d !== 'level' || perYear()).flatMap((d): [string, string][] =>
    d === 'area' ? [['area', 'area'], ['area:1', dimensionLabel('area:1')], ['area:2', dimensionLabel('area:2')]] : [[d, dimensionLabel(d)]])];
  fillSelect($('#by'), dims, sel.by);
  for (const b of Array.from(document.querySelectorAll<HTMLButtonElement>('[role=tab]'))) {
    const on = b.dataset['view'] === sel.view;
    b.setAttribute('aria-selected', String(on));
    b.tabIndex = on ? 0 : -1;
  }
  $('#rulesB-field').hidden = sel.view !== 'compare';
}

// --- tables: hidden cells read as in the charts, with the reason on hover
const countCell = (r: Pick<Row, 'count' | 'suppression'>, minCell: number): TableCell => {
  const kind = cellKind(r);
  return kind === 'shown' ? String(r.count) : { text: countText(r, minCell), cls: `suppressed ${kind}`, title: hiddenWhy(kind, minCell) };
};
const totalCell = (d: number | null): TableCell => d === null ? { text: 'hidden', cls: 'hidden-total', title: 'the group total is hidden: no percentages are published' } : String(d);
const categoryCell = (c: string, text = categoryLabel(c)): TableCell => ({ text, title: categoryHelp(c) || c });
const groupCell = (g: Readonly<Record<string, string>>): TableCell => ({ text: groupText(g), title: `${groupTitle(g)} [${groupLabel(g)}]` });

function table(rows: readonly Row[], minCell: number, year: ((r: Row) => string) | null): TableSpec {
  return {
    head: ['group', ...(year ? ['year'] : []), 'category', 'count', 'total', 'percent'],
    rows: rows.map((r) => [groupCell(r.group), ...(year ? [year(r)] : []), categoryCell(r.category), countCell(r, minCell), totalCell(r.denominator), pct(r.percent)]),
  };
}

/** What the words and marks of a view mean. */
function helpPanel(categories: Iterable<string>, minCell: number): HTMLElement {
  const terms = helpTerms(categories);
  const marks: [string, string][] = [
    [`<${minCell}`, `a cell of 1 to ${minCell - 1} learners: not published (primary suppression); charts mark it with a hatched chip`],
    ['hidden', 'a cell hidden to protect another one (complementary suppression): it may be of any size; charts mark it with a cross-hatched chip that implies no size'],
    ['hatched block', 'the hidden cells of a published total together, drawn to scale: the total minus the shown cells'],
    ['total hidden', 'the group total is hidden: no shares or percentages are drawn for that group, only its shown counts (not to scale)'],
  ];
  return h('details', { class: 'help', id: 'help' }, h('summary', {}, 'What the words and marks mean'),
    h('dl', {}, ...[...terms, ...marks].flatMap(([term, text]) => [h('dt', {}, term), h('dd', {}, text)])));
}

const base = () => `${sel.cohortType}-${cohortUsed() ? sel.cohort : 'all'}-${sel.rules}${sel.by ? `-by-${sel.by.replace(/[:,]/g, '_')}` : ''}${sel.asOf ? `-asof-${sel.asOf}` : ''}`;
const query = (indicator: string) => ({ indicator, cohortType: sel.cohortType, cohort: cohortUsed() ? sel.cohort : '', rules: sel.rules, by: sel.by, asOf: sel.asOf });
const asOfText = () => sel.asOf ? `, as of the end of ${sel.asOf}` : '';
const cohortText = () => cohortUsed() ? `${COHORT_TYPES.find(([t]) => t === sel.cohortType)![1]} ${sel.cohort}` : 'everyone';
const byText = () => sel.by ? `, by ${dimensionLabel(sel.by)}` : '';

function groupPicker(out: HTMLElement, gs: { key: string; group: Readonly<Record<string, string>> }[]): void {
  if (!gs.some((g) => g.key === sel.group)) sel.group = gs[0]?.key ?? 'all';
  if (gs.length < 2) return;
  const picker = h('select', { id: 'group', 'aria-label': 'Group' }, ...gs.map((g) => h('option', { value: g.key, selected: g.key === sel.group, title: groupTitle(g.group) }, groupText(g.group))));
  picker.addEventListener('change', () => { sel.group = picker.value; void render(); });
  out.append(h('label', { class: 'inline' }, 'Group ', picker));
}

async function renderFlows(out: HTMLElement): Promise<void> {
  const report = await reportFor(out, query('flows'));
  const gs = groups(report.rows);
  groupPicker(out, gs);
  const rows = report.rows.filter((r) => groupLabel(r.group) === sel.group);
  const who = gs.find((g) => g.key === sel.group);
  const title = `Flows advice → year 1 → year 3 → VO diploma → next education, ${cohortText()} (${report.ruleSet.name})${who && gs.length > 1 ? `, ${groupText(who.group)}` : ''}${asOfText()}`;
  out.append(helpPanel(rows.map((r) => r.category).filter((c) => stageIndex(c) >= 0), report.minCell));
  out.append(chartFrame({ id: 'chart-flows', title, chart: flowSankey(rows, { title, minCell: report.minCell, group: sel.group, whole: gs.length > 1 ? 'the group' : 'the cohort' }), csv: () => rowsCsv(rows, report.request.by), fileBase: `flows-${base()}`,
    table: {
      head: ['stage', 'from', 'to', 'learners', gs.length > 1 ? 'percent of the group' : 'percent of the cohort'],
      rows: flowTableRows(rows).map((r) => r.from !== undefined
        ? [`${STAGES[stageIndex(r.from)]?.name ?? ''} → ${STAGES[stageIndex(r.to!)]?.name ?? ''}`, categoryCell(r.from, nodeLabel(r.from)), categoryCell(r.to!, nodeLabel(r.to!)), countCell(r, report.minCell), pct(r.percent)]
        : [`${STAGES[stageIndex(r.category)]?.name ?? r.family} (total)`, categoryCell(r.category, nodeLabel(r.category)), '', countCell(r, report.minCell), pct(r.percent)]),
    } }));
}

async function renderDistribution(out: HTMLElement): Promise<void> {
  const report = await reportFor(out, query('distribution'));
  const all = groups(report.rows);
  const gs = all.slice(0, 8);
  out.append(helpPanel(report.rows.map((r) => r.category), report.minCell));
  if (all.length > gs.length) out.append(h('p', { class: 'note' }, `Showing the first ${gs.length} of ${all.length} groups; the CSV has all.`));
  for (const [i, g] of gs.entries()) {
    const rows = report.rows.filter((r) => groupLabel(r.group) === g.key);
    const offsets = [...new Set(rows.map((r) => r.offset ?? 0))].sort((a, b) => a - b);
    const title = `Where the learners are, per school year: ${cohortText()}${all.length > 1 ? `, ${groupText(g.group)}` : ''}${asOfText()}`;
    const columns = offsets.map((o) => ({ key: String(o), label: xLabel(o), rows: rows.filter((r) => (r.offset ?? 0) === o) }));
    out.append(chartFrame({ id: `chart-distribution-${i}`, title, chart: stackedColumns(columns, { title, minCell: report.minCell, group: g.key, who: groupTitle(g.group), unit: 'learners' }),
      csv: () => rowsCsv(rows, report.request.by), fileBase: `distribution-${base()}-${i}`, table: table(rows, report.minCell, (r) => xLabel(r.offset ?? 0)) }));
  }
}

const STREAMS = ['opstroom', 'afstroom', 'half-opstroom', 'half-afstroom', 'repeated'] as const;
async function renderStreams(out: HTMLElement): Promise<void> {
  const report = await reportFor(out, query('streams'));
  out.append(helpPanel(STREAMS, report.minCell));
  const grid = h('div', { class: 'grid' });
  for (const cat of STREAMS) {
    const rows = report.rows.filter((r) => r.category === cat);
    const title = `${categoryLabel(cat)[0]!.toUpperCase()}${categoryLabel(cat).slice(1)}: % of steps per school year${byText()}`;
    grid.append(chartFrame({ id: `chart-streams-${cat}`, title, note: categoryHelp(cat), chart: rateLines(rows, { title, category: cat, minCell: report.minCell, xLabel }),
      csv: () => rowsCsv(rows, report.request.by), fileBase: `streams-${cat}-${base()}`, table: table(rows, report.minCell, (r) => xLabel(r.offset ?? 0)) }));
  }
  out.append(grid);
}

async function renderAdvicePosition(out: HTMLElement): Promise<void> {
  const report = await reportFor(out, query('advice-position'));
  const title = `Year-3 position relative to the primary-school advice, ${cohortText()} (${report.ruleSet.name})${byText()}${asOfText()}`;
  out.append(helpPanel(report.rows.map((r) => r.category), report.minCell));
  out.append(chartFrame({ id: 'chart-advice-position', title, chart: groupBars(report.rows, { title, minCell: report.minCell }), csv: () => rowsCsv(report.rows, report.request.by),
    fileBase: `advice-position-${base()}`, table: table(report.rows, report.minCell, null) }));
}

async function renderCompare(out: HTMLElement): Promise<void> {
  const picker = h('select', { id: 'compareIndicator', 'aria-label': 'Indicator to compare' },
    ...[['advice-position', 'year 3 vs advice'], ['outcome', 'highest VO diploma vs advice']].map(([i, l]) => h('option', { value: i!, selected: i === sel.compareIndicator }, l!)));
  picker.addEventListener('change', () => { sel.compareIndicator = picker.value; void render(); });
  out.append(h('label', { class: 'inline' }, 'Indicator ', picker));
  const data = await api.compare<Compare>({ ...query(sel.compareIndicator), rulesA: sel.rules, rulesB: sel.rulesB });
  noted(out, data.notes);
  out.append(helpPanel(data.rows.map((r) => r.category), data.minCell));
  const title = `${sel.compareIndicator === 'outcome' ? 'Highest VO diploma vs advice' : 'Year 3 vs advice'} under ${data.rulesA.name} and ${data.rulesB.name}, ${cohortText()}${byText()}${asOfText()}`;
  const side = (v: Compare['rows'][number]['a']): TableCell => {
    if (!v) return { text: '–', title: 'no such cell under this rule set' };
    const c = countCell(v as Pick<Row, 'count' | 'suppression'>, data.minCell);
    const text = typeof c === 'object' ? c.text : c;
    return { text: `${text} (${pct(v.percent)})`, ...(typeof c === 'object' ? { cls: c.cls, title: c.title } : {}) };
  };
  const csv = () => ['group,offset,category,count_a,percent_a,suppression_a,count_b,percent_b,suppression_b', ...data.rows.map((r) => [JSON.stringify(groupLabel(r.group)), r.offset ?? '', r.category,
    r.a?.count ?? '', r.a?.percent ?? '', r.a?.suppression ?? '', r.b?.count ?? '', r.b?.percent ?? '', r.b?.suppression ?? ''].join(','))].join('\n') + '\n';
  out.append(chartFrame({ id: 'chart-compare', title, chart: compareBars(data, { title }), csv, fileBase: `compare-${sel.compareIndicator}-${base()}`,
    table: { head: ['group', 'category', data.rulesA.name, data.rulesB.name], rows: data.rows.map((r) => [groupCell(r.group), categoryCell(r.category), side(r.a), side(r.b)]) } }));
}

async function renderSchoolProfile(out: HTMLElement): Promise<void> {
  const picker = h('select', { id: 'profileCategory', 'aria-label': 'Category' }, ...PROFILE_CATEGORIES.map((c) => h('option', { value: c, selected: c === sel.profileCategory, title: categoryHelp(c) }, categoryLabel(c))));
  picker.addEventListener('change', () => { sel.profileCategory = picker.value; void render(); });
  out.append(h('label', { class: 'inline' }, 'Category ', picker));
  const report = await reportFor(out, query('school-profile'));
  out.append(helpPanel(PROFILE_CATEGORIES, report.minCell));
  const cat = sel.profileCategory;
  const all = report.rows.filter((r) => r.schoolYear === null && r.category === cat).sort((a, b) => groupText(a.group).localeCompare(groupText(b.group)));
  const rows = all.slice(0, 60);
  if (all.length > rows.length) out.append(h('p', { class: 'note' }, `Showing the first ${rows.length} of ${all.length} schools (by name); the table and the CSV have all.`));
  const title = `School profiles: ${categoryLabel(cat)}, % of steps, all years together and per year, ${cohortText()} (${report.ruleSet.name})${byText()}${asOfText()}`;
  const spread = (r: Row) => r.spread && r.spread.years > 0 ? [String(r.spread.years), `${r.spread.min}%`, `${r.spread.max}%`, String(r.spread.sd ?? '–')] : [String(r.spread?.years ?? 0), '–', '–', '–'];
  out.append(chartFrame({ id: 'chart-school-profile', title, note: categoryHelp(cat), chart: profileDots(rows, { title, minCell: report.minCell, category: cat }),
    csv: () => rowsCsv(report.rows.filter((r) => r.category === cat), report.request.by), fileBase: `school-profile-${cat}-${base()}`,
    table: { head: ['school', 'steps', 'total', 'percent', 'years published', 'lowest', 'highest', 'sd'],
      rows: all.map((r) => [groupCell(r.group), countCell(r, report.minCell), totalCell(r.denominator), pct(r.percent), ...spread(r)]) } }));
}

async function renderAfterMbo(out: HTMLElement): Promise<void> {
  const report = await reportFor(out, query('after-mbo'));
  out.append(helpPanel(report.rows.map((r) => r.category), report.minCell));
  const all = groups(report.rows);
  const gs = all.slice(0, 8);
  if (all.length > gs.length) out.append(h('p', { class: 'note' }, `Showing the first ${gs.length} of ${all.length} groups; the CSV has all.`));
  for (const [i, g] of gs.entries()) {
    const rows = report.rows.filter((r) => groupLabel(r.group) === g.key);
    const years = [...new Set(rows.map((r) => r.schoolYear ?? ''))].filter(Boolean).sort();
    const title = `Where mbo graduates are a year later, by the school year of the diploma: ${groupText(g.group)}, ${cohortText()}${asOfText()}`;
    const columns = years.map((y) => ({ key: y, label: yearLabel(y), rows: rows.filter((r) => r.schoolYear === y) }));
    out.append(chartFrame({ id: `chart-after-mbo-${i}`, title, chart: stackedColumns(columns, { title, minCell: report.minCell, group: g.key, who: groupTitle(g.group), unit: 'diplomas' }),
      csv: () => rowsCsv(rows, report.request.by), fileBase: `after-mbo-${base()}-${i}`, table: table(rows, report.minCell, (r) => r.schoolYear ?? '') }));
  }
}

const RENDER: Record<View, (out: HTMLElement) => Promise<void>> = {
  flows: renderFlows, distribution: renderDistribution, streams: renderStreams, 'advice-position': renderAdvicePosition, compare: renderCompare,
  'school-profile': renderSchoolProfile, 'after-mbo': renderAfterMbo,
};

/** Per view being drawn, the hidden cells its reports could not protect (publishing counts them). */
const unprotected = new WeakMap<HTMLElement, number>();
/** Per view being drawn, what its reports say a reader should know (an empty chart's reason), each once. */
const notes = new WeakMap<HTMLElement, Set<string>>();
async function reportFor(view: HTMLElement, q: Parameters<ApiClient['report']>[0]): Promise<Report> {
  const report = await api.report<Report>(q);
  unprotected.set(view, (unprotected.get(view) ?? 0) + (report.unprotected ?? 0));
  noted(view, report.notes);
  return report;
}
function noted(view: HTMLElement, said: readonly string[] | undefined): void {
  for (const note of said ?? []) notes.set(view, (notes.get(view) ?? new Set()).add(note));
}

let generation = 0;
async function render(): Promise<void> {
  const mine = ++generation;
  syncControls();
  writeHash();
  const panel = $('#panel');
  panel.setAttribute('aria-labelledby', `tab-${sel.view}`);
  if (cohortUsed() && !sel.cohort) { panel.replaceChildren(h('p', {}, 'No cohorts in the data yet.')); return; }
  status('Loading…');
  panel.setAttribute('aria-busy', 'true');
  const out = h('div', { class: 'view', 'data-view': sel.view });
  try {
    await RENDER[sel.view](out);
    if (mine !== generation) return;
    const n = unprotected.get(out) ?? 0;
    if (n > 0) {
      out.prepend(h('p', { class: 'note warning', role: 'note' },
        `${n} small hidden cell${n === 1 ? '' : 's'} of this view can be worked out from coarser tables: choose a coarser breakdown before publishing it.`));
    }
    for (const note of [...(notes.get(out) ?? [])].reverse()) out.prepend(h('p', { class: 'note', role: 'note' }, `${note.charAt(0).toUpperCase()}${note.slice(1)}.`));
    panel.replaceChildren(out);
    status(`Showing ${VIEWS.find((v) => v.id === sel.view)!.label.toLowerCase()} for ${cohortText()}, rule set ${sel.rules}${byText()}${asOfText()}. Cells of fewer than ${meta.minCell} learners read <${meta.minCell}; cells hidden to protect them read "hidden".`);
  } catch (err) {
    if (mine !== generation) return;
    panel.replaceChildren();
    status(err instanceof ApiError ? `${err.title}: ${err.detail}` : String(err), true);
  } finally {
    if (mine === generation) { panel.removeAttribute('aria-busy'); panel.dataset['ready'] = String(mine); }
  }
}

function wireControls(): void {
  const on = (id: string, f: (v: string) => void) => $<HTMLSelectElement>(`#${id}`).addEventListener('change', (e) => { f((e.target as HTMLSelectElement).value); void render(); });
  on('cohortType', (v) => { if (isCohortType(v)) sel.cohortType = v; });
  on('cohort', (v) => { sel.cohort = v; });
  on('rules', (v) => { sel.rules = v; });
  on('rulesB', (v) => { sel.rulesB = v; });
  on('by', (v) => { sel.by = v; sel.group = ''; });
  on('asOf', (v) => { sel.asOf = v; });
  on('scope', (v) => { sel.scope = v === 'cohort' ? 'cohort' : 'all'; });
  const tabs = Array.from(document.querySelectorAll<HTMLButtonElement>('[role=tab]'));
  tabs.forEach((b, i) => {
    b.addEventListener('click', () => { sel.view = b.dataset['view'] as View; void render(); });
    b.addEventListener('keydown', (e) => {
      const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
      if (!step) return;
      const next = tabs[(i + step + tabs.length) % tabs.length]!;
      next.focus();
      next.click();
    });
  });
}

function selectionFrom(hash: Partial<Record<keyof Selection, string>>, prev?: Selection): Selection {
  return {
    view: VIEWS.some((v) => v.id === hash.view) ? hash.view as View : prev?.view ?? 'flows',
    cohortType: isCohortType(hash.cohortType) ? hash.cohortType : prev?.cohortType ?? 'advice',
    cohort: hash.cohort ?? prev?.cohort ?? '',
    rules: hash.rules ?? prev?.rules ?? meta.ruleSets[0]?.name ?? 'monitor',
    rulesB: hash.rulesB ?? prev?.rulesB ?? meta.ruleSets[1]?.name ?? meta.ruleSets[0]?.name ?? 'monitor',
    by: hash.by ?? '',
    asOf: hash.asOf ?? '',
    compareIndicator: hash.compareIndicator ?? prev?.compareIndicator ?? 'advice-position',
    group: hash.group ?? '',
    scope: hash.scope === 'cohort' ? 'cohort' : 'all',
    profileCategory: PROFILE_CATEGORIES.includes(hash.profileCategory ?? '') ? hash.profileCategory! : prev?.profileCategory ?? 'afstroom',
  };
}

async function start(key: string): Promise<void> {
  api = new ApiClient(key);
  const who = await api.get<{ name: string; role: string }>('/api/whoami');
  meta = await api.get<Meta>('/api/meta');
  setNames(meta.names);
  $('#login').hidden = true;
  $('#app').hidden = false;
  $('#who').textContent = `${who.name} (${who.role})`;
  sel = selectionFrom(readHash());
  wireControls();
  // Back/forward and edited bookmarks change the hash; our own writes use replaceState and do not fire this.
  window.addEventListener('hashchange', () => { sel = selectionFrom(readHash(), sel); void render(); });
  await render();
}

function init(): void {
  const handed = document.querySelector<HTMLMetaElement>('meta[name="leerroutes-key"]')?.content;
  const stored = sessionStorage.getItem('leerroutes.key');
  const form = $<HTMLFormElement>('#login');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const key = $<HTMLInputElement>('#key').value.trim();
    start(key).then(() => sessionStorage.setItem('leerroutes.key', key), (err) => {
      $('#login-error').textContent = err instanceof ApiError ? err.detail : String(err);
      $<HTMLInputElement>('#key').focus();
    });
  });
  $('#logout').addEventListener('click', () => { sessionStorage.removeItem('leerroutes.key'); location.hash = ''; location.reload(); });
  const key = handed || stored;
  if (key) start(key).catch((err) => { sessionStorage.removeItem('leerroutes.key'); form.hidden = false; $('#login-error').textContent = err instanceof ApiError ? err.detail : String(err); });
  else { form.hidden = false; $<HTMLInputElement>('#key').focus(); }
}

init();
