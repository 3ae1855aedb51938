/**
 * The dashboard: pick a cohort, a rule set and a breakdown; one view at a
 * time fetches only what it shows. The selection lives in the URL hash so a
 * view can be bookmarked; the API key lives in sessionStorage (or is handed
 * to the page by `serve --open-dashboard`).
 */
import { ApiClient, ApiError } from './api.js';
import { chartFrame, type TableSpec } from './frame.js';
import { groupLabel, groups, pct, rowsCsv, shown, type Compare, type Meta, type Report, type Row } from './model.js';
import { compareBars } from './charts/compare.js';
import { groupBars } from './charts/hbars.js';
import { rateLines } from './charts/lines.js';
import { flowSankey } from './charts/sankey.js';
import { stackedColumns } from './charts/stacked.js';
import { h } from './svg.js';

const VIEWS = [
  { id: 'flows', label: 'Flows' },
  { id: 'distribution', label: 'Levels per year' },
  { id: 'streams', label: 'Streaming rates' },
  { id: 'advice-position', label: 'Year 3 vs advice' },
  { id: 'compare', label: 'Compare rule sets' },
] as const;
type View = (typeof VIEWS)[number]['id'];

interface Selection { view: View; cohortType: 'advice' | 'intake'; cohort: string; rules: string; by: string; rulesB: string; compareIndicator: string; group: string }

const $ = <T extends HTMLElement>(sel: string) => document.querySelector<T>(sel)!;
const status = (text: string, error = false) => { const s = $('#status'); s.textContent = text; s.classList.toggle('error', error); };

let api: ApiClient;
let meta: Meta;
let sel: Selection;

function readHash(): Partial<Selection> {
  return Object.fromEntries(new URLSearchParams(location.hash.slice(1))) as Partial<Selection>;
}
function writeHash(): void {
  const p = new URLSearchParams(Object.entries(sel).filter(([, v]) => v !== '') as [string, string][]);
  history.replaceState(null, '', `#${p}`);
}

const cohortsFor = (type: 'advice' | 'intake', rules: string): string[] =>
  type === 'intake' ? meta.cohorts.intake : meta.cohorts.advice[rules] ?? [];

const xLabel = (offset: number) => {
  const start = Number(sel.cohort.slice(0, 4)) + offset;
  return `${String(start % 100).padStart(2, '0')}/${String((start + 1) % 100).padStart(2, '0')}`;
};

function fillSelect(select: HTMLSelectElement, options: readonly (string | [string, string])[], value: string): void {
  select.replaceChildren(...options.map((o) => { const [v, label] = Array.isArray(o) ? o : [o, o]; return h('option', { value: v, selected: v === value }, label); }));
  if (!Array.from(select.options).some((o) => o.selected) && select.options[0]) select.options[0].selected = true;
}

function syncControls(): void {
  fillSelect($('#cohortType'), [['advice', 'advice cohort'], ['intake', 'intake cohort']], sel.cohortType);
  const rules = meta.ruleSets.map((r) => r.name);
  fillSelect($('#rules'), rules, sel.rules);
  fillSelect($('#rulesB'), rules, sel.rulesB);
  const cohorts = cohortsFor(sel.cohortType, sel.rules);
  if (!cohorts.includes(sel.cohort)) sel.cohort = cohorts[Math.floor(cohorts.length / 2)] ?? '';
  fillSelect($('#cohort'), cohorts, sel.cohort);
  const dims: [string, string][] = [['', 'none'], ...meta.dimensions.flatMap((d): [string, string][] => d === 'area' ? [['area', 'area'], ['area:1', 'area (level 1)'], ['area:2', 'area (level 2)']] : [[d, d.replace(/_/g, ' ')]])];
  fillSelect($('#by'), dims, sel.by);
  for (const b of Array.from(document.querySelectorAll<HTMLButtonElement>('[role=tab]'))) {
    const on = b.dataset['view'] === sel.view;
    b.setAttribute('aria-selected', String(on));
    b.tabIndex = on ? 0 : -1;
  }
  $('#rulesB-field').hidden = sel.view !== 'compare';
}

function table(rows: readonly Row[], minCell: number, withOffset = true): TableSpec {
  return {
    head: ['group', ...(withOffset ? ['year'] : []), 'category', 'count', 'denominator', 'percent'],
    rows: rows.map((r) => [groupLabel(r.group), ...(withOffset ? [r.offset === null ? (r.schoolYear ?? '') : xLabel(r.offset)] : []), r.category, shown(r.count, minCell), r.denominator === null ? `<${minCell}` : r.denominator, pct(r.percent)]),
  };
}

const base = () => `${sel.cohortType}-${sel.cohort}-${sel.rules}${sel.by ? `-by-${sel.by.replace(/[:,]/g, '_')}` : ''}`;
const query = (indicator: string) => ({ indicator, cohortType: sel.cohortType, cohort: sel.cohort, rules: sel.rules, by: sel.by });

async function renderFlows(out: HTMLElement): Promise<void> {
  const report = await api.report<Report>(query('flows'));
  const gs = groups(report.rows);
  if (!gs.some((g) => g.key === sel.group)) sel.group = gs[0]?.key ?? 'all';
  if (gs.length > 1) {
    const picker = h('select', { id: 'group', 'aria-label': 'Group' }, ...gs.map((g) => h('option', { value: g.key, selected: g.key === sel.group }, g.key)));
    picker.addEventListener('change', () => { sel.group = picker.value; void render(); });
    out.append(h('label', { class: 'inline' }, 'Group ', picker));
  }
  const rows = report.rows.filter((r) => groupLabel(r.group) === sel.group);
  const title = `Flows advice → year 1 → year 3 → diploma → next education, ${sel.cohortType} cohort ${sel.cohort} (${report.ruleSet.name}), ${sel.group}`;
  out.append(chartFrame({ id: 'chart-flows', title, chart: flowSankey(rows, { title, minCell: report.minCell }), csv: () => rowsCsv(rows, report.request.by), fileBase: `flows-${base()}`,
    table: { head: ['from', 'to', 'count'], rows: rows.map((r) => [r.from ?? '', r.to ?? '', shown(r.count, report.minCell)]) } }));
}

async function renderDistribution(out: HTMLElement): Promise<void> {
  const report = await api.report<Report>(query('distribution'));
  const gs = groups(report.rows).slice(0, 8);
  if (groups(report.rows).length > gs.length) out.append(h('p', { class: 'note' }, `Showing the first ${gs.length} of ${groups(report.rows).length} groups; the CSV has all.`));
  for (const [i, g] of gs.entries()) {
    const rows = report.rows.filter((r) => groupLabel(r.group) === g.key);
    const title = `Where the learners are, per school year: ${g.key}`;
    out.append(chartFrame({ id: `chart-distribution-${i}`, title, chart: stackedColumns(rows, { title, minCell: report.minCell, group: g.key, xLabel }), csv: () => rowsCsv(rows, report.request.by), fileBase: `distribution-${base()}-${i}`, table: table(rows, report.minCell) }));
  }
}

const STREAMS = [['opstroom', 'Opstroom'], ['afstroom', 'Afstroom'], ['half-opstroom', 'Half opstroom'], ['half-afstroom', 'Half afstroom'], ['repeated', 'Doubleren']] as const;
async function renderStreams(out: HTMLElement): Promise<void> {
  const report = await api.report<Report>(query('streams'));
  const grid = h('div', { class: 'grid' });
  for (const [cat, label] of STREAMS) {
    const rows = report.rows.filter((r) => r.category === cat);
    const title = `${label}: % of steps per school year`;
    grid.append(chartFrame({ id: `chart-streams-${cat}`, title, chart: rateLines(rows, { title, category: cat, minCell: report.minCell, xLabel }), csv: () => rowsCsv(rows, report.request.by), fileBase: `streams-${cat}-${base()}`, table: table(rows, report.minCell) }));
  }
  out.append(grid);
}

async function renderAdvicePosition(out: HTMLElement): Promise<void> {
  const report = await api.report<Report>(query('advice-position'));
  const title = `Year-3 position relative to the primary-school advice, ${sel.cohortType} cohort ${sel.cohort} (${report.ruleSet.name})`;
  out.append(chartFrame({ id: 'chart-advice-position', title, chart: groupBars(report.rows, { title, minCell: report.minCell }), csv: () => rowsCsv(report.rows, report.request.by), fileBase: `advice-position-${base()}`, table: table(report.rows, report.minCell, false) }));
}

async function renderCompare(out: HTMLElement): Promise<void> {
  const picker = h('select', { id: 'compareIndicator', 'aria-label': 'Indicator to compare' }, ...['advice-position', 'outcome'].map((i) => h('option', { value: i, selected: i === sel.compareIndicator }, i)));
  picker.addEventListener('change', () => { sel.compareIndicator = picker.value; void render(); });
  out.append(h('label', { class: 'inline' }, 'Indicator ', picker));
  const data = await api.compare<Compare>({ ...query(sel.compareIndicator), rulesA: sel.rules, rulesB: sel.rulesB });
  const title = `${sel.compareIndicator} under ${data.rulesA.name} and ${data.rulesB.name}, ${sel.cohortType} cohort ${sel.cohort}`;
  const cell = (v: Compare['rows'][number]['a']) => v ? `${shown(v.count, data.minCell)} (${pct(v.percent)})` : '–';
  const csv = () => ['group,offset,category,count_a,percent_a,count_b,percent_b', ...data.rows.map((r) => [groupLabel(r.group), r.offset ?? '', r.category, r.a?.count ?? '', r.a?.percent ?? '', r.b?.count ?? '', r.b?.percent ?? ''].join(','))].join('\n') + '\n';
  out.append(chartFrame({ id: 'chart-compare', title, chart: compareBars(data, { title }), csv, fileBase: `compare-${sel.compareIndicator}-${base()}`,
    table: { head: ['group', 'category', data.rulesA.name, data.rulesB.name], rows: data.rows.map((r) => [groupLabel(r.group), r.category, cell(r.a), cell(r.b)]) } }));
}

const RENDER: Record<View, (out: HTMLElement) => Promise<void>> = {
  flows: renderFlows, distribution: renderDistribution, streams: renderStreams, 'advice-position': renderAdvicePosition, compare: renderCompare,
};

let generation = 0;
async function render(): Promise<void> {
  const mine = ++generation;
  syncControls();
  writeHash();
  const panel = $('#panel');
  panel.setAttribute('aria-labelledby', `tab-${sel.view}`);
  if (!sel.cohort) { panel.replaceChildren(h('p', {}, 'No cohorts in the data yet.')); return; }
  status('Loading…');
  panel.setAttribute('aria-busy', 'true');
  const out = h('div', { class: 'view', 'data-view': sel.view });
  try {
    await RENDER[sel.view](out);
    if (mine !== generation) return;
    panel.replaceChildren(out);
    status(`Showing ${VIEWS.find((v) => v.id === sel.view)!.label.toLowerCase()} for the ${sel.cohortType} cohort ${sel.cohort}, rule set ${sel.rules}${sel.by ? `, by ${sel.by}` : ''}. Hatched cells are suppressed (fewer than ${meta.minCell} learners).`);
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
  on('cohortType', (v) => { sel.cohortType = v as Selection['cohortType']; });
  on('cohort', (v) => { sel.cohort = v; });
  on('rules', (v) => { sel.rules = v; });
  on('rulesB', (v) => { sel.rulesB = v; });
  on('by', (v) => { sel.by = v; sel.group = ''; });
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

async function start(key: string): Promise<void> {
  api = new ApiClient(key);
  const who = await api.get<{ name: string; role: string }>('/api/whoami');
  meta = await api.get<Meta>('/api/meta');
  $('#login').hidden = true;
  $('#app').hidden = false;
  $('#who').textContent = `${who.name} (${who.role})`;
  const hash = readHash();
  sel = {
    view: VIEWS.some((v) => v.id === hash.view) ? hash.view! : 'flows',
    cohortType: hash.cohortType === 'intake' ? 'intake' : 'advice',
    cohort: hash.cohort ?? '',
    rules: hash.rules ?? meta.ruleSets[0]?.name ?? 'monitor',
    rulesB: hash.rulesB ?? meta.ruleSets[1]?.name ?? meta.ruleSets[0]?.name ?? 'monitor',
    by: hash.by ?? '',
    compareIndicator: hash.compareIndicator ?? 'advice-position',
    group: hash.group ?? '',
  };
  wireControls();
  // Back/forward and edited bookmarks change the hash; our own writes use replaceState and do not fire this.
  window.addEventListener('hashchange', () => {
    const h = readHash();
    if (h.view && VIEWS.some((v) => v.id === h.view)) sel.view = h.view;
    if (h.cohortType === 'advice' || h.cohortType === 'intake') sel.cohortType = h.cohortType;
    for (const k of ['cohort', 'rules', 'rulesB', 'by', 'compareIndicator', 'group'] as const) sel[k] = h[k] ?? (k === 'by' || k === 'group' ? '' : sel[k]);
    void render();
  });
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
