/**
 * The flow advice -> leerjaar 1 -> leerjaar 3 -> diploma -> next education.
 * d3-sankey only computes the layout (node positions, link widths); drawing
 * stays in our SVG helpers, so it adds a few kB and no framework.
 */
import { sankey, sankeyLinkHorizontal, type SankeyLink, type SankeyNode } from 'd3-sankey';
import type { Row } from '../model.js';
import { colour, el, svgRoot } from '../svg.js';

interface N { id: string }
interface L { source: string; target: string; value: number; row: Row }

/** Stage prefixes (`advice:havo`) keep the same level apart at different stages; labels show the level. */
export const nodeLabel = (id: string): string => id.includes(':') && !id.startsWith('vo:') ? id.slice(id.indexOf(':') + 1) : id;
const STAGE_NAMES: Record<string, string> = { advice: 'advice', lj1: 'year 1', lj3: 'year 3', diploma: 'VO diploma', next: 'next education' };
const stageOf = (id: string): string => { const s = id.includes(':') ? id.slice(0, id.indexOf(':')) : ''; return STAGE_NAMES[s] ?? s; };

export function flowSankey(rows: readonly Row[], options: { title: string; minCell: number }): SVGSVGElement {
  const W = 960, H = 520;
  const drawn = rows.filter((r) => r.from && r.to && r.count !== null && r.count > 0);
  const hidden = rows.filter((r) => r.from && r.to && r.count === null);
  const { svg } = svgRoot(W, H, options.title, `Flows between stages: ${drawn.length} edges drawn; ${hidden.length} edges under ${options.minCell} suppressed and not drawn.`);
  const ids = [...new Set(drawn.flatMap((r) => [r.from!, r.to!]))];
  const layout = sankey<N, L>().nodeId((d) => d.id).nodeWidth(14).nodePadding(8).extent([[8, 24], [W - 8, H - 28]]);
  let graph: { nodes: SankeyNode<N, L>[]; links: SankeyLink<N, L>[] };
  try {
    graph = layout({ nodes: ids.map((id) => ({ id })), links: drawn.map((r) => ({ source: r.from!, target: r.to!, value: r.count!, row: r })) });
  } catch (err) {
    svg.append(el('text', { x: 20, y: 40, fill: '#a00' }, `The flows cannot be laid out: ${err instanceof Error ? err.message : String(err)}`));
    return svg;
  }
  const path = sankeyLinkHorizontal<N, L>();
  const stages = new Map<number, { stage: string; x1: number }>();
  for (const n of graph.nodes) if (!stages.has(n.x0!)) stages.set(n.x0!, { stage: stageOf(n.id), x1: n.x1! });
  for (const [x0, { stage, x1 }] of stages) {
    const right = x0 > W / 2;
    if (stage) svg.append(el('text', { x: right ? x1 : x0, y: 14, 'text-anchor': right ? 'end' : 'start', fill: '#555', 'font-weight': 600 }, stage));
  }
  for (const l of graph.links) {
    const s = l.source as SankeyNode<N, L>, t = l.target as SankeyNode<N, L>;
    const p = el('path', { d: path(l) ?? '', fill: 'none', stroke: colour(nodeLabel(s.id)), 'stroke-opacity': 0.4, 'stroke-width': Math.max(1, l.width ?? 1),
      class: 'mark link', 'data-from': s.id, 'data-to': t.id, 'data-count': l.value, 'data-suppressed': 'false' });
    p.append(el('title', {}, `${s.id} → ${t.id}: ${l.value}`));
    svg.append(p);
  }
  for (const n of graph.nodes) {
    const r = el('rect', { x: n.x0, y: n.y0, width: (n.x1 ?? 0) - (n.x0 ?? 0), height: Math.max(1, (n.y1 ?? 0) - (n.y0 ?? 0)), fill: colour(nodeLabel(n.id)), stroke: '#333', 'stroke-width': 0.5, class: 'node', 'data-node': n.id, 'data-value': n.value ?? 0 });
    r.append(el('title', {}, `${n.id}: ${n.value}`));
    svg.append(r);
    const right = (n.x0 ?? 0) > W / 2;
    if ((n.y1 ?? 0) - (n.y0 ?? 0) >= 9) svg.append(el('text', { x: right ? (n.x0 ?? 0) - 4 : (n.x1 ?? 0) + 4, y: ((n.y0 ?? 0) + (n.y1 ?? 0)) / 2 + 4, 'text-anchor': right ? 'end' : 'start', fill: '#111', 'font-size': 11 }, `${nodeLabel(n.id)} (${n.value})`));
  }
  if (hidden.length) svg.append(el('text', { x: 8, y: H - 8, fill: '#333', class: 'suppressed-note' }, `${hidden.length} flows under ${options.minCell} learners are suppressed and not drawn (see the table).`));
  return svg;
}
