/** Hand-written SVG helpers: a handful of charts does not need a charting framework, and the page stays small. */
import { hiddenText, type CellKind } from './model.js';

export const SVG_NS = 'http://www.w3.org/2000/svg';

type Attrs = Record<string, string | number | null | undefined>;

export function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Attrs = {}, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

export function h<K extends keyof HTMLElementTagNameMap>(name: K, attrs: Record<string, string | number | boolean | null | undefined> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(name);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) node.append(c);
  return node;
}

/** A hover title on an SVG element (the text a pointer shows; screen readers read it too). */
export function titled<T extends SVGElement>(node: T, title: string): T {
  node.append(el('title', {}, title));
  return node;
}

/**
 * The fills that mark what is not published, one per meaning:
 * `primary` (diagonal hatch) a cell under the threshold, `complementary`
 * (cross-hatch) a cell hidden to protect another, `rest` (light hatch the
 * other way) the hidden cells of a known total together, drawn to scale.
 */
export interface Fills { readonly primary: string; readonly complementary: string; readonly rest: string }

let uid = 0;
/** An svg root with a title/desc for screen readers and the patterns that mark hidden cells. */
export function svgRoot(width: number, height: number, title: string, desc: string): { svg: SVGSVGElement; fills: Fills } {
  const id = `c${++uid}`;
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-labelledby': `${id}-t ${id}-d`, xmlns: SVG_NS,
    'font-family': 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif', 'font-size': 12 });
  svg.append(el('title', { id: `${id}-t` }, title), el('desc', { id: `${id}-d` }, desc));
  const defs = el('defs');
  const pattern = (name: string, size: number, angle: number, bg: string, stroke: string, width: number, cross: boolean) => {
    const p = el('pattern', { id: `${id}-${name}`, width: size, height: size, patternUnits: 'userSpaceOnUse', patternTransform: `rotate(${angle})` });
    p.append(el('rect', { width: size, height: size, fill: bg }), el('line', { x1: 0, y1: 0, x2: 0, y2: size, stroke, 'stroke-width': width }));
    if (cross) p.append(el('line', { x1: 0, y1: 0, x2: size, y2: 0, stroke, 'stroke-width': width }));
    defs.append(p);
    return `url(#${id}-${name})`;
  };
  const fills: Fills = {
    primary: pattern('primary', 6, 45, '#ffffff', '#555555', 1.6, false),
    complementary: pattern('complementary', 6, 45, '#f2f2f2', '#8c8c8c', 1, true),
    rest: pattern('rest', 8, -45, '#ececec', '#b8b8b8', 2, false),
  };
  svg.append(defs);
  svg.append(el('rect', { width, height, fill: '#ffffff' }));
  return { svg, fills };
}

/** Resize a chart once its content is known (charts grow downwards with their legends). */
export function setHeight(svg: SVGSVGElement, height: number): void {
  const width = Number(svg.getAttribute('width'));
  svg.setAttribute('height', String(Math.ceil(height)));
  svg.setAttribute('viewBox', `0 0 ${width} ${Math.ceil(height)}`);
  (svg.querySelector(':scope > rect') as SVGRectElement | null)?.setAttribute('height', String(Math.ceil(height)));
}

/** Approximate width of a text in the system sans at this size (no layout pass needed, errs wide). */
export const textWidth = (text: string, size = 12): number => text.length * size * 0.6;

/**
 * A label that fits in maxWidth: shortened with an ellipsis when it does not,
 * the full text then in its hover title. `class="label"` marks the labels
 * that must never overlap (the browser tests check them).
 */
export function label(x: number, y: number, text: string, maxWidth: number, attrs: Attrs = {}, title?: string): SVGTextElement {
  const size = Number(attrs['font-size'] ?? 12);
  let shown = text;
  if (textWidth(text, size) > maxWidth) {
    const n = Math.max(1, Math.floor(maxWidth / (size * 0.6)) - 1);
    shown = `${text.slice(0, n).trimEnd()}…`;
  }
  const t = el('text', { x, y, class: 'label', fill: '#222', ...attrs }, shown);
  if (shown !== text || title) t.append(el('title', {}, title ?? text));
  return t;
}

export const linear = (d0: number, d1: number, r0: number, r1: number) => (v: number): number =>
  d1 === d0 ? r0 : r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);

const stepFor = (max: number, count: number): number => {
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
};

/** The smallest round value at or above max, so that the axis holds every mark. */
export const niceMax = (max: number, count = 5): number => {
  if (max <= 0) return 1;
  const step = stepFor(max, count);
  return Math.ceil(max / step - 1e-9) * step;
};

/** Ticks at round steps from 0 to max (max from niceMax). */
export function ticks(max: number, count = 5): number[] {
  if (max <= 0) return [0];
  const step = stepFor(max, count);
  const out: number[] = [];
  for (let v = 0; v <= max + 1e-9; v += step) out.push(Math.round(v * 100) / 100);
  return out;
}

/**
 * Colours: the Okabe-Ito colour-blind-safe palette (Okabe & Ito 2008). Classes
 * run blue (up) to vermillion (down) through grey; levels take one Okabe-Ito
 * hue per stream (vmbo yellow-orange-vermillion, havo sky blue, vwo blue, mbo
 * green) and a lighter tint for the combined levels between them, so that
 * neighbours in a stack differ in lightness as well as hue. Categories keep
 * their colour across charts.
 */
export const OKABE_ITO = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'] as const;
export const COLOURS: Readonly<Record<string, string>> = {
  // classes (diverging: up blue, same grey, down vermillion)
  opstroom: '#0072B2', 'half-opstroom': '#56B4E9', gelijk: '#BBBBBB', 'half-afstroom': '#E69F00', afstroom: '#D55E00',
  'not-comparable': '#CC79A7', 'no-advice': '#F0E442', 'no-vo-diploma': '#000000',
  stacked: '#009E73', repeated: '#CC79A7', 'switched-school': '#009E73',
  // levels, low to high
  po: '#E8E8E8', pro: '#8F8F8F', 'vmbo-b': '#F0E442', 'vmbo-b/k': '#F8F2A8', 'vmbo-bk': '#F8F2A8', 'vmbo-k': '#E69F00', 'vmbo-k/t': '#F5CE80',
  'vmbo-g': '#D55E00', 'vmbo-gt': '#EDB080', 'vmbo-t': '#8A3D00', 'vmbo-t/havo': '#BFE1F5', havo: '#56B4E9', 'havo/vwo': '#A6CBE3',
  'vmbo-t/havo/vwo': '#D9ECF7', vwo: '#0072B2', vso: '#CC79A7',
  'mbo-1': '#D9F1E9', 'mbo-2': '#9ED9C5', 'mbo-3': '#52BF9C', 'mbo-4': '#009E73', hbo: '#005A41', wo: '#003A66',
  'left-with-startkwalificatie': '#6E6E6E', 'left-without-startkwalificatie': '#000000', unknown: '#D9D9D9', none: '#D0D0D0',
  // after an mbo diploma
  'mbo-higher': '#0072B2', 'mbo-same': '#BBBBBB', 'mbo-lower': '#D55E00', vo: '#CC79A7', 'not-enrolled': '#000000',
};
/** A category's colour; node ids (`lj3:havo`) and states (`vo:havo`) by their level. */
export function colour(category: string): string {
  const value = category.includes(':') ? category.slice(category.indexOf(':') + 1) : category;
  return COLOURS[category] ?? COLOURS[value] ?? '#999999';
}
/** The i-th series of a chart (groups, rule sets): Okabe-Ito in order. */
export const seriesColour = (i: number): string => OKABE_ITO[i % OKABE_ITO.length]!;

/** Text on a coloured block: white on dark colours, near-black on light ones. */
export function inkOn(fill: string): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(fill);
  if (!m) return '#111';
  const [r, g, b] = [m[1], m[2], m[3]].map((x) => parseInt(x!, 16) / 255) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.45 ? '#fff' : '#111';
}

/** What a chip stands for: a hidden cell, or a shown count drawn where no share may be drawn. */
export type ChipKind = Exclude<CellKind, 'shown'> | 'count';
export const CHIP_H = 16;
/** A chip's width for its label (fixed by the text, never by the number it stands for). */
export const chipWidth = (text: string, size = 10): number => Math.ceil(textWidth(text, size) + 10);

/**
 * A fixed-size marker for one cell, never to scale: hatched with "<10" for a
 * primary cell, cross-hatched with "hidden" for a complementary one, or a
 * shown count in a white box where a share cannot be drawn. A stripe in the
 * category's (or series') colour says which cell it is; the title says it in words.
 */
export function chip(fills: Fills, kind: ChipKind, x: number, y: number, options: { text: string; stripe: string; title: string; width?: number; attrs?: Attrs }): SVGGElement {
  const w = options.width ?? chipWidth(options.text);
  const g = el('g', { ...options.attrs, transform: `translate(${x.toFixed(1)},${y.toFixed(1)})` });
  const fill = kind === 'primary' ? fills.primary : kind === 'complementary' ? fills.complementary : '#ffffff';
  g.append(
    el('rect', { width: w, height: CHIP_H, fill, stroke: '#555', 'stroke-width': 0.8, 'stroke-dasharray': kind === 'complementary' ? '2 1.5' : null, rx: 2 }),
    el('rect', { width: 3, height: CHIP_H, fill: options.stripe }),
    el('text', { x: (w + 3) / 2, y: CHIP_H / 2 + 3.5, 'text-anchor': 'middle', 'font-size': 10, 'font-weight': 600, fill: '#111', stroke: '#fff', 'stroke-width': 2.5, 'paint-order': 'stroke', class: 'chip-text' }, options.text),
  );
  return titled(g, options.title);
}

/** A hidden cell's chip text and title parts. */
export const chipText = (kind: Exclude<CellKind, 'shown'>, minCell: number): string => hiddenText(kind, minCell);
export const hiddenWhy = (kind: Exclude<CellKind, 'shown'>, minCell: number): string => kind === 'primary'
  ? `fewer than ${minCell} learners (1 to ${minCell - 1}): not published`
  : `hidden to protect another cell (complementary suppression): it may be of any size, and none is implied`;

/** The marks a legend can explain. */
export type MarkKind = 'primary' | 'complementary' | 'rest' | 'no-total' | 'count';

/**
 * The legend of the marks for what is not published, with a sample of each
 * mark, wrapped to the chart's width; returns the height it took.
 */
export function suppressionLegend(svg: SVGSVGElement, fills: Fills, present: ReadonlySet<MarkKind>, x: number, y: number, width: number, minCell: number): number {
  const items: [MarkKind, string][] = [
    ['primary', `<${minCell}: fewer than ${minCell} learners (primary suppression)`],
    ['complementary', 'hidden: suppressed to protect another cell; no size is shown or implied'],
    ['rest', 'the hidden cells of a published total together, to scale'],
    ['count', 'a count where no share is published (not to scale)'],
    ['no-total', 'total hidden: no shares or percentages are published for this group'],
  ];
  const g = el('g', { class: 'legend suppression-legend' });
  let cx = x, cy = y, lineH = 0;
  for (const [kind, text] of items) {
    if (!present.has(kind)) continue;
    const lines = wrap(text, Math.max(10, Math.floor((width - 60) / (11 * 0.6))));
    const sample = kind === 'no-total' ? 0 : chipWidth(kind === 'complementary' ? 'hidden' : `<${minCell}`) + 6;
    const w = sample + Math.max(...lines.map((l) => textWidth(l, 11))) + 16;
    const itemH = Math.max(CHIP_H, lines.length * 13) + 6;
    if (cx + w > x + width && cx > x) { cx = x; cy += lineH; lineH = 0; }
    const item = el('g', { class: 'legend-item', 'data-mark': kind });
    if (kind === 'primary' || kind === 'complementary') item.append(chip(fills, kind, cx, cy, { text: chipText(kind, minCell), stripe: '#555', title: text }));
    else if (kind === 'count') item.append(chip(fills, 'count', cx, cy, { text: '12', stripe: '#555', title: text, width: sample - 6 }));
    else if (kind === 'rest') item.append(el('rect', { x: cx, y: cy, width: sample - 6, height: CHIP_H, fill: fills.rest, stroke: '#777', 'stroke-width': 0.6 }));
    const tx = cx + sample;
    lines.forEach((l, i) => item.append(el('text', { x: tx, y: cy + 12 + i * 13, 'font-size': 11, fill: '#222', 'font-style': kind === 'no-total' && i === 0 ? 'italic' : null }, l)));
    g.append(item);
    cx += w;
    lineH = Math.max(lineH, itemH);
  }
  svg.append(g);
  return g.childNodes.length ? cy - y + lineH + 4 : 0;
}

/** Words into lines of at most n characters. */
export function wrap(text: string, n: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && (line + ' ' + word).length > n) { out.push(line); line = word; } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

/** The category legend: a swatch and the category in words, wrapped to the width; returns the height it took. */
export function categoryLegend(svg: SVGSVGElement, cats: readonly string[], x: number, y: number, width: number, labelOf: (c: string) => string, titleOf: (c: string) => string, colourOf: (c: string) => string = colour): number {
  const g = el('g', { class: 'legend category-legend' });
  let cx = x, cy = y;
  for (const cat of cats) {
    const text = labelOf(cat);
    const w = 18 + textWidth(text, 11) + 14;
    if (cx + w > x + width && cx > x) { cx = x; cy += 18; }
    const item = el('g', { class: 'legend-item', 'data-category': cat });
    item.append(el('rect', { x: cx, y: cy, width: 12, height: 12, fill: colourOf(cat), stroke: '#555', 'stroke-width': 0.5 }), el('text', { x: cx + 17, y: cy + 10, 'font-size': 11, fill: '#222' }, text));
    g.append(titled(item, titleOf(cat)));
    cx += w;
  }
  svg.append(g);
  return cats.length ? cy - y + 20 : 0;
}
