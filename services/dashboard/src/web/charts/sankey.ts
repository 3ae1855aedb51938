/**
 * The flow advice -> leerjaar 1 -> leerjaar 3 -> diploma -> next education.
 * d3-sankey only computes the layout (node positions, link widths); drawing
 * stays in our SVG helpers, so it adds a few kB and no framework.
 *
 * Every node stands in its stage's column (the stage prefix of its id is its
 * layer), ordered by level. A node is as tall as its published total (the
 * flows report's node rows), so the flows it shows fill it only partly when
 * some are hidden: the rest of the node, on each side, is a hatched remainder
 * to scale (the total minus the drawn flows). A node whose total is hidden is
 * outlined dashed and says so; one of which nothing is shown is a fixed-size
 * marker.
 */
import { sankey, sankeyLinkHorizontal, type SankeyLink, type SankeyNode } from 'd3-sankey';
import { nodeLabel, stageIndex, STAGES, withHelp } from '../labels.js';
import { cellKind, countText, pct, type Row } from '../model.js';
import { colour, el, setHeight, suppressionLegend, svgRoot, textWidth, titled, type MarkKind } from '../svg.js';
import { markAttrs } from './common.js';

interface N { id: string; fixedValue?: number; row?: Row | undefined; pad?: number }
interface L { source: string; target: string; value: number; row?: Row }
type Node = SankeyNode<N, L>;

/** Top to bottom within a column: highest level first, then the unranked, then none. */
const ORDER = ['wo', 'hbo', 'mbo-4', 'mbo-3', 'mbo-2', 'mbo-1', 'vwo', 'havo/vwo', 'vmbo-t/havo/vwo', 'havo', 'vmbo-t/havo', 'vmbo-t', 'vmbo-gt', 'vmbo-g',
  'vmbo-k/t', 'vmbo-k', 'vmbo-bk', 'vmbo-b/k', 'vmbo-b', 'pro', 'vso', 'unknown', 'none'];
const orderOf = (n: N): number => {
  if (n.pad !== undefined) return 1000;
  const v = n.id.slice(n.id.indexOf(':') + 1);
  const i = ORDER.indexOf(v);
  return i < 0 ? ORDER.length - 2.5 : i;
};

export function flowSankey(rows: readonly Row[], options: { title: string; minCell: number; group: string; whole?: string }): SVGSVGElement {
  const W = 1000, top = 36, plotH = 520;
  const { minCell, group } = options;
  const whole = options.whole ?? 'the cohort';
  const nodeRows = rows.filter((r) => r.family.startsWith('node '));
  const edges = rows.filter((r) => r.from !== undefined && r.to !== undefined);
  const drawn = edges.filter((r) => r.count !== null && r.count > 0);
  const hiddenEdges = edges.filter((r) => r.count === null);
  const { svg, fills } = svgRoot(W, 100, options.title,
    `Flows between stages: ${drawn.length} flows drawn; ${hiddenEdges.length} hidden flows drawn together as hatched remainders at their nodes. Node sizes are the published stage totals.`);
  const present = new Set<MarkKind>();
  const nodeRow = new Map(nodeRows.map((r) => [r.category, r]));
  const ids = new Set([...nodeRows.filter((r) => r.count !== 0).map((r) => r.category), ...drawn.flatMap((r) => [r.from!, r.to!])]);
  const nodes: N[] = [...ids].filter((id) => stageIndex(id) >= 0).map((id) => {
    const row = nodeRow.get(id);
    return row?.count ? { id, fixedValue: row.count, row } : { id, row };
  });
  // An empty chain through the five columns: d3-sankey makes as many columns as the longest path, and hidden flows can break every path.
  const pads: N[] = STAGES.map((_, i) => ({ id: `__pad${i}`, pad: i }));
  const links: L[] = [
    ...drawn.filter((r) => ids.has(r.from!) && ids.has(r.to!) && stageIndex(r.from!) >= 0 && stageIndex(r.to!) >= 0).map((r) => ({ source: r.from!, target: r.to!, value: r.count!, row: r })),
    ...pads.slice(1).map((p, i) => ({ source: pads[i]!.id, target: p.id, value: 0 })),
  ];
  const layout = sankey<N, L>().nodeId((d) => d.id).nodeWidth(14).nodePadding(10)
    .nodeAlign((n) => n.pad ?? stageIndex(n.id))
    .nodeSort((a, b) => orderOf(a) - orderOf(b) || a.id.localeCompare(b.id))
    .extent([[20, top], [W - 180, top + plotH]]);
  if (!nodes.some((n) => n.fixedValue) && links.every((l) => !l.row)) {
    // Nothing has a size: d3-sankey would scale by 0 / 0 and place every node at NaN.
    svg.append(el('text', { x: 20, y: 40, fill: '#333', class: 'label nothing-drawn' },
      `Every stage total and flow of ${whole} is hidden (fewer than ${minCell} learners, or hidden to protect another cell): nothing to draw.`));
    setHeight(svg, 60);
    return svg;
  }
  let graph: { nodes: Node[]; links: SankeyLink<N, L>[] };
  try {
    graph = layout({ nodes: [...nodes, ...pads], links });
  } catch (err) {
    svg.append(el('text', { x: 20, y: 40, fill: '#a00' }, `The flows cannot be laid out: ${err instanceof Error ? err.message : String(err)}`));
    setHeight(svg, 60);
    return svg;
  }
  const real = graph.nodes.filter((n) => n.pad === undefined);
  const sized = real.find((n) => (n.value ?? 0) > 0);
  const ky = sized ? ((sized.y1! - sized.y0!) / sized.value!) : 0;

  // Stage headings, one per stage, over its column.
  const columns = new Map<number, Node[]>();
  for (const n of real) { const s = stageIndex(n.id); columns.set(s, [...(columns.get(s) ?? []), n]); }
  for (const [s, ns] of [...columns].sort(([a], [b]) => a - b)) {
    const x0 = ns[0]!.x0!, x1 = ns[0]!.x1!;
    const anchor = s === 0 ? 'start' : 'middle';
    svg.append(el('text', { x: anchor === 'start' ? x0 : (x0 + x1) / 2, y: 16, 'text-anchor': anchor, fill: '#333', 'font-weight': 600, class: 'label stage-heading', 'data-stage': STAGES[s]!.id }, STAGES[s]!.name));
  }

  const path = sankeyLinkHorizontal<N, L>();
  for (const l of graph.links) {
    if (!l.row) continue;
    const s = l.source as Node, t = l.target as Node;
    svg.append(titled(el('path', { d: path(l) ?? '', fill: 'none', stroke: colour(s.id), 'stroke-opacity': 0.45, 'stroke-width': Math.max(1, l.width ?? 1),
      ...markAttrs(l.row, group, { 'data-from': s.id, 'data-to': t.id }), class: 'mark link' }),
    `${STAGES[stageIndex(s.id)]!.name} ${nodeLabel(s.id)} → ${STAGES[stageIndex(t.id)]!.name} ${nodeLabel(t.id)}: ${l.value} learners (${pct(l.row.percent)} of ${whole})`));
  }

  const hiddenList = (rs: readonly Row[], end: 'from' | 'to') => rs.map((r) => `${nodeLabel(r[end]!)} ${countText(r, minCell)}`).join(', ');
  const labels = new Map<number, { y: number; text: string; node: Node }[]>();
  for (const n of real) {
    const s = stageIndex(n.id);
    const row = n.row;
    const kind = row ? cellKind(row) : 'complementary';
    const total = row?.count ?? null;
    const stageName = STAGES[s]!.name;
    const name = nodeLabel(n.id);
    const x0 = n.x0!, x1 = n.x1!;
    let y0 = n.y0!, y1 = n.y1!;
    const attrs = {
      class: `node${total === null ? ` total-hidden ${kind}` : ''}`, 'data-node': n.id, 'data-stage': STAGES[s]!.id,
      'data-count': total ?? '', 'data-suppression': row?.suppression ?? (total === null ? 'complementary' : ''), 'data-value': n.value ?? 0,
    };
    const what = total !== null ? `${total} learners (${pct(row!.percent)} of ${whole})`
      : kind === 'primary' ? `fewer than ${minCell} learners: the total is not published` : 'the total is hidden (to protect another cell); the drawn flows are not all of it';
    if (y1 - y0 < 1) {
      // Nothing of it is drawn: a fixed-size marker, not to scale.
      present.add(kind as MarkKind);
      y1 = y0 + 6;
      svg.append(titled(el('rect', { x: x0, y: y0, width: x1 - x0, height: 6, fill: kind === 'primary' ? fills.primary : fills.complementary, stroke: '#333', 'stroke-width': 0.6, 'stroke-dasharray': kind === 'complementary' ? '2 1.5' : null, ...attrs, class: `${attrs.class} marker` }),
        withHelp(`${stageName}: ${name}: ${what}`, n.id)));
    } else {
      if (total === null) present.add('no-total');
      svg.append(titled(el('rect', { x: x0, y: y0, width: x1 - x0, height: y1 - y0, fill: colour(n.id), stroke: '#333', 'stroke-width': total === null ? 1.2 : 0.5, 'stroke-dasharray': total === null ? '3 2' : null, ...attrs }),
        withHelp(`${stageName}: ${name}: ${what}`, n.id)));
    }
    // The hidden flows on each side: to scale under a published total, a fixed tab under a hidden one.
    for (const side of ['in', 'out'] as const) {
      if ((side === 'in' && s === 0) || (side === 'out' && s === STAGES.length - 1)) continue;
      const mine = side === 'out' ? edges.filter((r) => r.from === n.id) : edges.filter((r) => r.to === n.id);
      const hidden = mine.filter((r) => r.count === null);
      const shownSum = mine.reduce((a, r) => a + (r.count ?? 0), 0);
      const x = side === 'out' ? x1 : x0 - 10;
      const other = side === 'out' ? 'to' : 'from';
      const towards = side === 'out' ? `→ ${STAGES[s + 1]!.name}` : `from ${STAGES[s - 1]!.name} →`;
      if (total !== null) {
        const rest = total - shownSum;
        if (rest <= 0) continue;
        present.add('rest');
        svg.append(titled(el('rect', { x, y: n.y0! + shownSum * ky, width: 10, height: rest * ky, fill: fills.rest, stroke: '#777', 'stroke-width': 0.5,
          class: 'rest', 'data-node': n.id, 'data-side': side, 'data-learners': rest, 'data-hidden': hidden.length }),
        `${stageName} ${name} ${towards}: ${rest} of its ${total} learners are in hidden flows (the total minus the drawn flows)${hidden.length ? `: ${hiddenList(hidden, other)}` : ''}`));
      } else if (hidden.length) {
        present.add('complementary');
        svg.append(titled(el('rect', { x, y: y0, width: 10, height: 6, fill: fills.complementary, stroke: '#777', 'stroke-width': 0.5, 'stroke-dasharray': '2 1.5',
          class: 'rest unknown', 'data-node': n.id, 'data-side': side, 'data-hidden': hidden.length }),
        `${stageName} ${name} ${towards}: hidden flows of unknown size (the node total is hidden): ${hiddenList(hidden, other)}`));
      }
    }
    const text = total !== null ? `${name} ${total}` : kind === 'primary' ? `${name} <${minCell}` : `${name}: total hidden`;
    labels.set(s, [...(labels.get(s) ?? []), { y: (y0 + y1) / 2, text, node: n }]);
  }
  // Node labels, skipping one that would overlap its neighbour above (its title and the table still have it).
  for (const [s, ls] of labels) {
    let last = -Infinity;
    for (const l of ls.sort((a, b) => a.y - b.y)) {
      if (l.y - last < 12) continue;
      last = l.y;
      const x = l.node.x1! + (s === STAGES.length - 1 ? 4 : 13);
      svg.append(el('text', { x, y: l.y + 4, 'text-anchor': 'start', 'font-size': 11, fill: '#111', stroke: '#fff', 'stroke-width': 3, 'paint-order': 'stroke', class: 'label node-label', 'data-node': l.node.id }, l.text));
    }
  }
  let y = top + plotH + 16;
  const primary = hiddenEdges.filter((r) => r.suppression === 'primary').length;
  if (hiddenEdges.length) {
    const note = `${hiddenEdges.length} flows are hidden (${primary} of fewer than ${minCell} learners, ${hiddenEdges.length - primary} to protect other cells); each node's hatched edge is its hidden flows together. The table lists each flow.`;
    svg.append(el('text', { x: 20, y, fill: '#333', 'font-size': 11, class: 'suppressed-note' }, note));
    y += textWidth(note, 11) > W - 40 ? 18 : 14;
  }
  y += suppressionLegend(svg, fills, present, 20, y, W - 40, minCell);
  setHeight(svg, y + 8);
  return svg;
}

/** Node and flow rows for the table: node rows first (the stage totals), then the flows. */
export function flowTableRows(rows: readonly Row[]): Row[] {
  const nodes = rows.filter((r) => r.family.startsWith('node '));
  const edges = rows.filter((r) => r.from !== undefined && r.to !== undefined);
  return [...nodes.sort((a, b) => stageIndex(a.category) - stageIndex(b.category)), ...edges];
}
