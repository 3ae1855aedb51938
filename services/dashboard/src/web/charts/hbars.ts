/**
 * One 100% bar per group: the categories' shares side by side, so groups
 * compare at a glance. A group whose total is suppressed (complementary
 * suppression) has no publishable shares: its bar shows the shown counts
 * relative to each other, is marked with a dagger, and has no percentages.
 */
import { categoryOrder, groupShort, groups, type Row } from '../model.js';
import { colour, el, svgRoot } from '../svg.js';
import { legend } from './stacked.js';

/** Nominal width of the hidden block when a group's total is unknown (share of the bar). */
const HIDDEN_SHARE = 8;

export function groupBars(rows: readonly Row[], options: { title: string; minCell: number }): SVGSVGElement {
  const gs = groups(rows);
  const cats = categoryOrder(rows.map((r) => r.category));
  const W = 720, m = { l: 170, r: 190, t: 10, b: 30 }, bh = 26, gap = 10;
  const H = m.t + m.b + gs.length * (bh + gap);
  const { svg, hatch } = svgRoot(W, Math.max(H, 40 + (cats.length + 1) * 16), options.title, `One bar per group (${gs.length}), the share of each category. Hatched: suppressed cells under ${options.minCell}.`);
  const x = (share: number) => m.l + (share / 100) * (W - m.l - m.r);
  let anyUnknownTotal = false;
  gs.forEach(({ key, group }, i) => {
    const y = m.t + i * (bh + gap);
    const own = rows.filter((r) => JSON.stringify(r.group) === JSON.stringify(group));
    const hidden = own.filter((o) => o.count === null).map((o) => o.category);
    const known = own.find((o) => o.denominator !== null)?.denominator ?? null;
    const shownSum = own.reduce((s, o) => s + (o.count ?? 0), 0);
    // Scale: the true total, or the shown counts plus a nominal block for what is hidden.
    const scale = known ?? (shownSum > 0 ? shownSum / ((100 - (hidden.length ? HIDDEN_SHARE : 0)) / 100) : 1);
    if (known === null) anyUnknownTotal = true;
    svg.append(el('text', { x: m.l - 8, y: y + bh / 2 + 4, 'text-anchor': 'end', fill: '#222' }, known === null ? `${groupShort(group)} †` : groupShort(group)));
    let acc = 0;
    for (const cat of cats) {
      const r = own.find((o) => o.category === cat);
      if (!r || r.count === null || r.count <= 0) continue;
      const share = (r.count / scale) * 100;
      const rect = el('rect', { x: x(acc), y, width: x(acc + share) - x(acc), height: bh, fill: colour(cat), stroke: '#fff', 'stroke-width': 0.5,
        class: 'mark', 'data-group': key, 'data-category': cat, 'data-count': r.count, 'data-percent': r.percent ?? '', 'data-suppressed': 'false' });
      rect.append(el('title', {}, `${key} · ${cat}: ${r.count}${r.denominator !== null ? ` of ${r.denominator}` : ' (total suppressed)'}${r.percent !== null ? ` (${r.percent}%)` : ''}`));
      svg.append(rect);
      const label = r.percent !== null ? `${Math.round(r.percent)}%` : String(r.count);
      if (x(acc + share) - x(acc) > 34) svg.append(el('text', { x: (x(acc) + x(acc + share)) / 2, y: y + bh / 2 + 4, 'text-anchor': 'middle', fill: '#fff', 'font-size': 11 }, label));
      acc += share;
    }
    if (hidden.length) {
      const rect = el('rect', { x: x(acc), y, width: Math.max(3, x(100) - x(acc)), height: bh, fill: hatch, stroke: '#555', 'stroke-width': 0.5,
        class: 'mark suppressed', 'data-group': key, 'data-suppressed': 'true', 'data-categories': hidden.join('|') });
      rect.append(el('title', {}, `${key}: ${hidden.join(', ')} suppressed (under ${options.minCell})`));
      svg.append(rect);
      svg.append(el('text', { x: Math.min(x(100) - 4, Math.max(x(acc) + 4, (x(acc) + x(100)) / 2)), y: y + bh / 2 + 4, 'text-anchor': 'middle', fill: '#111', 'font-weight': 600 }, `<${options.minCell}`));
    }
  });
  if (anyUnknownTotal) svg.append(el('text', { x: 8, y: H - 8, fill: '#444', 'font-size': 11 }, `† total suppressed: the bar shows the shown counts relative to each other; no percentages can be published.`));
  legend(svg, cats, W - m.r + 12, m.t, hatch, options.minCell);
  return svg;
}
