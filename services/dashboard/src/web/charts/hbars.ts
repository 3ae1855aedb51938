/** One 100% bar per group: the categories' shares side by side, so groups compare at a glance. */
import { categoryOrder, groups, type Row } from '../model.js';
import { colour, el, svgRoot } from '../svg.js';
import { legend } from './stacked.js';

export function groupBars(rows: readonly Row[], options: { title: string; minCell: number }): SVGSVGElement {
  const gs = groups(rows);
  const cats = categoryOrder(rows.map((r) => r.category));
  const W = 720, m = { l: 170, r: 190, t: 10, b: 24 }, bh = 26, gap = 10;
  const H = m.t + m.b + gs.length * (bh + gap);
  const { svg, hatch } = svgRoot(W, Math.max(H, 40 + (cats.length + 1) * 17), options.title, `One bar per group (${gs.length}), the share of each category. Hatched: suppressed cells under ${options.minCell}.`);
  const x = (share: number) => m.l + (share / 100) * (W - m.l - m.r);
  gs.forEach(({ key, group }, i) => {
    const y = m.t + i * (bh + gap);
    const own = rows.filter((r) => JSON.stringify(r.group) === JSON.stringify(group));
    svg.append(el('text', { x: m.l - 8, y: y + bh / 2 + 4, 'text-anchor': 'end', fill: '#222' }, key));
    let acc = 0;
    for (const cat of cats) {
      const r = own.find((o) => o.category === cat);
      if (!r || r.count === null || !r.denominator) continue;
      const share = (r.count / r.denominator) * 100;
      if (share <= 0) continue;
      const rect = el('rect', { x: x(acc), y, width: x(acc + share) - x(acc), height: bh, fill: colour(cat), stroke: '#fff', 'stroke-width': 0.5,
        class: 'mark', 'data-group': key, 'data-category': cat, 'data-count': r.count, 'data-percent': r.percent ?? '', 'data-suppressed': 'false' });
      rect.append(el('title', {}, `${key} · ${cat}: ${r.count} of ${r.denominator}${r.percent !== null ? ` (${r.percent}%)` : ''}`));
      svg.append(rect);
      if (x(acc + share) - x(acc) > 34 && r.percent !== null) svg.append(el('text', { x: (x(acc) + x(acc + share)) / 2, y: y + bh / 2 + 4, 'text-anchor': 'middle', fill: '#fff', 'font-size': 11 }, `${Math.round(r.percent)}%`));
      acc += share;
    }
    const hidden = own.filter((o) => o.count === null).map((o) => o.category);
    if (hidden.length) {
      const rect = el('rect', { x: x(acc), y, width: Math.max(3, x(100) - x(acc)), height: bh, fill: hatch, stroke: '#555', 'stroke-width': 0.5,
        class: 'mark suppressed', 'data-group': key, 'data-suppressed': 'true', 'data-categories': hidden.join('|') });
      rect.append(el('title', {}, `${key}: ${hidden.join(', ')} suppressed (under ${options.minCell})`));
      svg.append(rect);
      svg.append(el('text', { x: Math.min(x(100) - 4, Math.max(x(acc) + 4, (x(acc) + x(100)) / 2)), y: y + bh / 2 + 4, 'text-anchor': 'middle', fill: '#111', 'font-weight': 600 }, `<${options.minCell}`));
    }
  });
  legend(svg, cats, W - m.r + 12, m.t, hatch, options.minCell);
  return svg;
}
