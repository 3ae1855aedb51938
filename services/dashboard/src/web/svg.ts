/** Hand-written SVG helpers: a handful of charts does not need a charting framework, and the page stays small. */
export const SVG_NS = 'http://www.w3.org/2000/svg';

export function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number | null | undefined> = {}, text?: string): SVGElementTagNameMap[K] {
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

let uid = 0;
/** An svg root with a title/desc for screen readers and the hatch pattern that marks suppressed cells. */
export function svgRoot(width: number, height: number, title: string, desc: string): { svg: SVGSVGElement; hatch: string } {
  const id = `c${++uid}`;
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-labelledby': `${id}-t ${id}-d`, xmlns: SVG_NS,
    'font-family': 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif', 'font-size': 12 });
  svg.append(el('title', { id: `${id}-t` }, title), el('desc', { id: `${id}-d` }, desc));
  const defs = el('defs');
  const pattern = el('pattern', { id: `${id}-hatch`, width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' });
  pattern.append(el('rect', { width: 6, height: 6, fill: '#f3f3f3' }), el('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: '#777', 'stroke-width': 2 }));
  defs.append(pattern);
  svg.append(defs);
  svg.append(el('rect', { width, height, fill: '#ffffff' }));
  return { svg, hatch: `url(#${id}-hatch)` };
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

/** Colour-blind-safe palette (Okabe-Ito plus greys); categories keep their colour across charts. */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000', '#8C8C8C', '#B3B3B3', '#7A5195', '#2F4B7C'];
const FIXED: Record<string, string> = {
  pro: '#C7C7C7', 'vmbo-b': '#F0E442', 'vmbo-b/k': '#E5D83A', 'vmbo-bk': '#E5D83A', 'vmbo-k': '#E69F00', 'vmbo-k/t': '#D9A441',
  'vmbo-g': '#C98B2B', 'vmbo-gt': '#A6761D', 'vmbo-t': '#8C510A', 'vmbo-t/havo': '#6BAED6', havo: '#56B4E9', 'havo/vwo': '#2B8CBE',
  'vmbo-t/havo/vwo': '#4A90B8', vwo: '#0072B2', vso: '#9E9E9E', 'mbo-1': '#FADBE9', 'mbo-2': '#F2A7C8', 'mbo-3': '#E07BAA', 'mbo-4': '#CC79A7',
  hbo: '#009E73', wo: '#005A42', none: '#E0E0E0',
  opstroom: '#009E73', 'half-opstroom': '#8FD1B8', gelijk: '#B3B3B3', 'half-afstroom': '#F2B880', afstroom: '#D55E00',
  'not-comparable': '#7A7A7A', 'no-vo-diploma': '#4D4D4D', repeated: '#CC79A7', stacked: '#0072B2', 'switched-school': '#56B4E9',
  unknown: '#DDDDDD', po: '#EFEFEF', 'left-with-startkwalificatie': '#7A5195', 'left-without-startkwalificatie': '#3B1F47',
};
const assigned = new Map<string, string>();
export function colour(category: string): string {
  const fixed = FIXED[category] ?? FIXED[category.replace(/^vo:/, '')];
  if (fixed) return fixed;
  let c = assigned.get(category);
  if (!c) { c = PALETTE[assigned.size % PALETTE.length]!; assigned.set(category, c); }
  return c;
}
