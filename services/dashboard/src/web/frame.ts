/** Every chart sits in the same frame: a heading, the chart, download buttons (CSV, SVG, PNG) and the numbers as a table. */
import { h } from './svg.js';

/** A table cell: text, or text with a class (`suppressed primary`, `suppressed complementary`, `hidden-total`) and a hover title. */
export type TableCell = string | number | { readonly text: string; readonly cls?: string; readonly title?: string };
export interface TableSpec { readonly head: readonly string[]; readonly rows: readonly (readonly TableCell[])[] }

function cell(c: TableCell, header: boolean): HTMLElement {
  const { text, cls, title } = typeof c === 'object' ? c : { text: String(c), cls: undefined, title: undefined };
  return h(header ? 'th' : 'td', { ...(header ? { scope: 'row' } : {}), class: cls ?? null, title: title ?? null }, text);
}

function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 5000);
}

const svgText = (svg: SVGSVGElement): string => '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(svg);

async function svgToPng(svg: SVGSVGElement): Promise<Blob> {
  const width = Number(svg.getAttribute('width')), height = Number(svg.getAttribute('height'));
  const url = URL.createObjectURL(new Blob([svgText(svg)], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    await new Promise<void>((resolve, reject) => { img.onload = () => resolve(); img.onerror = () => reject(new Error('cannot render the SVG')); img.src = url; });
    const canvas = document.createElement('canvas');
    canvas.width = width * 2; canvas.height = height * 2;
    const ctx = canvas.getContext('2d')!;
    ctx.scale(2, 2);
    ctx.drawImage(img, 0, 0, width, height);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => b ? resolve(b) : reject(new Error('no PNG')), 'image/png'));
  } finally { URL.revokeObjectURL(url); }
}

export function chartFrame(options: { id: string; title: string; note?: string; chart: Element; csv: () => string; table: TableSpec; fileBase: string }): HTMLElement {
  const { id, title, chart } = options;
  const svg = chart instanceof SVGSVGElement ? chart : chart.querySelector('svg');
  const button = (label: string, kind: string, action: () => void | Promise<void>) => {
    const b = h('button', { type: 'button', class: 'dl', 'data-download': kind, 'aria-label': `Download ${title} as ${label}` }, label);
    b.addEventListener('click', () => { void action(); });
    return b;
  };
  const buttons = h('div', { class: 'downloads', role: 'group', 'aria-label': `Downloads for ${title}` },
    button('CSV', 'csv', () => download(`${options.fileBase}.csv`, new Blob([options.csv()], { type: 'text/csv' }))),
    ...(svg ? [
      button('SVG', 'svg', () => download(`${options.fileBase}.svg`, new Blob([svgText(svg)], { type: 'image/svg+xml' }))),
      button('PNG', 'png', async () => download(`${options.fileBase}.png`, await svgToPng(svg))),
    ] : []));
  const table = h('table', { class: 'data' },
    h('caption', {}, `${title}: the numbers`),
    h('thead', {}, h('tr', {}, ...options.table.head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...options.table.rows.map((r) => h('tr', {}, ...r.map((c, i) => cell(c, i === 0))))));
  return h('figure', { class: 'chart', id, 'aria-labelledby': `${id}-title` },
    h('figcaption', {}, h('h3', { id: `${id}-title` }, title), ...(options.note ? [h('p', { class: 'note' }, options.note)] : []), buttons),
    h('div', { class: 'plot' }, chart),
    h('details', {}, h('summary', {}, 'Show the numbers as a table'), table));
}
