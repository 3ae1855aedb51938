/**
 * Two rule sets side by side: per group and category, the published
 * percentage under each as paired bars. A side without a published
 * percentage gets no bar: a fixed-size chip instead ("<10", "hidden", or the
 * shown count when only the total is hidden), or a dash where the rule set
 * has no such cell.
 */
import { categoryLabel, groupText, groupTitle, withHelp } from '../labels.js';
import { cellKind, categoryOrder, groupLabel, type Compare, type CompareRow, type CompareSide, type Row } from '../model.js';
import { chip, chipWidth, el, label, niceMax, seriesColour, setHeight, suppressionLegend, svgRoot, ticks, titled, CHIP_H, type MarkKind } from '../svg.js';
import { chipFor, markAttrs } from './common.js';

/** A compare side as a report row, so it is marked and labelled as every other cell. */
const asRow = (r: CompareRow, v: CompareSide): Row => ({
  group: r.group, offset: r.offset, schoolYear: r.schoolYear, family: r.family ?? '', category: r.category,
  count: v.count, denominator: v.denominator, percent: v.percent, suppressed: v.suppressed, suppression: v.suppression ?? null,
});

export function compareBars(data: Compare, options: { title: string }): SVGSVGElement {
  const ordered = groupsThenCategories(data.rows);
  const W = 1000, m = { l: 300, r: 70, t: 44 }, bh = 13, slot = CHIP_H + 2, gap = 10;
  const rowH = 2 * slot + gap;
  const { svg, fills } = svgRoot(W, 100, options.title, `Percentages under ${data.rulesA.name} and ${data.rulesB.name}, ${ordered.length} cells. Sides without a published percentage are marked, never sized.`);
  const present = new Set<MarkKind>();
  const max = Math.max(10, ...ordered.flatMap((r) => [r.a?.percent ?? 0, r.b?.percent ?? 0]));
  const top = niceMax(max, 4);
  const x = (p: number) => m.l + (p / top) * (W - m.l - m.r);
  const names = { a: `${data.rulesA.name} v${data.rulesA.version}`, b: `${data.rulesB.name} v${data.rulesB.version}` };
  svg.append(el('rect', { x: m.l, y: 8, width: 12, height: 10, fill: seriesColour(0) }), el('text', { x: m.l + 16, y: 17, fill: '#222' }, names.a),
    el('rect', { x: m.l + 160, y: 8, width: 12, height: 10, fill: seriesColour(1) }), el('text', { x: m.l + 176, y: 17, fill: '#222' }, names.b));
  const H = m.t + ordered.length * rowH;
  for (const t of ticks(top, 4)) svg.append(el('line', { x1: x(t), x2: x(t), y1: m.t - 6, y2: H, stroke: '#eee' }), el('text', { x: x(t), y: m.t - 10, 'text-anchor': 'middle', fill: '#555', 'font-size': 10, class: 'label' }, `${t}%`));
  ordered.forEach((r, i) => {
    const y = m.t + i * rowH;
    const key = groupLabel(r.group);
    const where = `${Object.keys(r.group).length ? `${groupText(r.group)} · ` : ''}${categoryLabel(r.category)}${r.offset !== null ? ` · +${r.offset}` : ''}`;
    svg.append(label(m.l - 8, y + slot + 4, where, m.l - 16, { 'text-anchor': 'end', 'font-size': 11 }, withHelp(`${groupTitle(r.group)} · ${categoryLabel(r.category)}`, r.category)));
    (['a', 'b'] as const).forEach((side, j) => {
      const v = r[side];
      const yy = y + j * slot;
      const ruleSet = side === 'a' ? data.rulesA.name : data.rulesB.name;
      if (!v) {
        svg.append(titled(el('text', { x: m.l + 4, y: yy + bh - 2, 'font-size': 11, fill: '#666', class: 'mark absent', 'data-side': side, 'data-group': key, 'data-category': r.category }, '–'), `${where}: no such cell under ${ruleSet}`));
        return;
      }
      const row = asRow(r, v);
      const attrs = markAttrs(row, key, { 'data-side': side });
      if (v.percent === null) {
        const spec = chipFor(row, data.minCell, seriesColour(j), withHelp(`${where} (${ruleSet})${v.count !== null ? (v.denominator === null ? ', total hidden: no percentage' : `, of ${v.denominator}: no percentage published`) : ''}`, r.category), attrs);
        present.add(v.count === null ? (cellKind(row) as MarkKind) : 'count');
        if (v.count !== null && v.denominator === null) present.add('no-total');
        svg.append(chip(fills, spec.kind, m.l, yy + bh / 2 - CHIP_H / 2, { text: spec.text, stripe: spec.stripe, title: spec.title, width: chipWidth(spec.text), attrs: spec.attrs }));
        return;
      }
      svg.append(titled(el('rect', { x: m.l, y: yy, width: Math.max(1, x(v.percent) - m.l), height: bh, fill: seriesColour(j), ...attrs }),
        withHelp(`${where} (${ruleSet}): ${v.percent}% (${v.count} of ${v.denominator})`, r.category)),
      el('text', { x: x(v.percent) + 3, y: yy + bh - 2, fill: '#333', 'font-size': 10 }, `${v.percent}%`));
    });
  });
  const used = suppressionLegend(svg, fills, present, 12, H + 8, W - 24, data.minCell);
  setHeight(svg, H + 8 + used + 8);
  return svg;
}

function groupsThenCategories(rows: readonly CompareRow[]): CompareRow[] {
  const order = categoryOrder(rows.map((r) => r.category));
  return [...rows].sort((a, b) => groupLabel(a.group).localeCompare(groupLabel(b.group)) || (a.offset ?? 0) - (b.offset ?? 0) || order.indexOf(a.category) - order.indexOf(b.category));
}
