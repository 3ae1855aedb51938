/** Two rule sets side by side: per group and category, the percentage under each, as paired bars. */
import { categoryOrder, groupLabel, type Compare } from '../model.js';
import { el, niceMax, svgRoot, ticks } from '../svg.js';

export function compareBars(data: Compare, options: { title: string }): SVGSVGElement {
  const ordered = groupsThenCategories(data.rows);
  const W = 720, m = { l: 230, r: 60, t: 30, b: 20 }, bh = 9, gap = 8;
  const H = m.t + m.b + ordered.length * (2 * bh + gap);
  const { svg, hatch } = svgRoot(W, H, options.title, `Percentages under ${data.rulesA.name} and ${data.rulesB.name}, ${ordered.length} cells. Hatched: suppressed.`);
  const max = Math.max(10, ...ordered.flatMap((r) => [r.a?.percent ?? 0, r.b?.percent ?? 0]));
  const top = niceMax(max, 4);
  const x = (p: number) => m.l + (p / top) * (W - m.l - m.r);
  const colours = { a: '#0072B2', b: '#E69F00' } as const;
  svg.append(el('rect', { x: m.l, y: 8, width: 12, height: 10, fill: colours.a }), el('text', { x: m.l + 16, y: 17, fill: '#222' }, `${data.rulesA.name} v${data.rulesA.version}`),
    el('rect', { x: m.l + 150, y: 8, width: 12, height: 10, fill: colours.b }), el('text', { x: m.l + 166, y: 17, fill: '#222' }, `${data.rulesB.name} v${data.rulesB.version}`));
  for (const t of ticks(top, 4)) svg.append(el('line', { x1: x(t), x2: x(t), y1: m.t - 4, y2: H - m.b, stroke: '#eee' }), el('text', { x: x(t), y: H - 6, 'text-anchor': 'middle', fill: '#555', 'font-size': 10 }, `${t}%`));
  ordered.forEach((r, i) => {
    const y = m.t + i * (2 * bh + gap);
    const label = `${groupLabel(r.group)} · ${r.category}${r.offset !== null ? ` · +${r.offset}` : ''}`;
    svg.append(el('text', { x: m.l - 6, y: y + bh + 3, 'text-anchor': 'end', fill: '#222', 'font-size': 11 }, label));
    (['a', 'b'] as const).forEach((side, j) => {
      const v = r[side];
      const yy = y + j * bh;
      if (!v || v.percent === null) {
        const g = el('rect', { x: m.l, y: yy, width: 26, height: bh - 1, fill: hatch, stroke: '#777', 'stroke-width': 0.5, class: 'mark suppressed', 'data-side': side, 'data-category': r.category, 'data-group': groupLabel(r.group), 'data-suppressed': 'true' });
        g.append(el('title', {}, `${label} (${side === 'a' ? data.rulesA.name : data.rulesB.name}): ${v ? `suppressed (under ${data.minCell})` : 'no such cell'}`));
        svg.append(g);
        return;
      }
      const bar = el('rect', { x: m.l, y: yy, width: Math.max(1, x(v.percent) - m.l), height: bh - 1, fill: colours[side], class: 'mark', 'data-side': side, 'data-category': r.category, 'data-group': groupLabel(r.group), 'data-count': v.count ?? '', 'data-percent': v.percent, 'data-suppressed': 'false' });
      bar.append(el('title', {}, `${label} (${side === 'a' ? data.rulesA.name : data.rulesB.name}): ${v.percent}% (${v.count} of ${v.denominator})`));
      svg.append(bar, el('text', { x: x(v.percent) + 3, y: yy + bh - 1, fill: '#333', 'font-size': 9 }, `${v.percent}%`));
    });
  });
  return svg;
}

function groupsThenCategories<T extends { group: Record<string, string>; category: string; offset: number | null }>(rows: T[]): T[] {
  const order = categoryOrder(rows.map((r) => r.category));
  return [...rows].sort((a, b) => groupLabel(a.group).localeCompare(groupLabel(b.group)) || (a.offset ?? 0) - (b.offset ?? 0) || order.indexOf(a.category) - order.indexOf(b.category));
}
