/**
 * The chart colours stay apart for readers with a colour-vision deficiency:
 * every pair of colours that can stand side by side in one chart is compared
 * in CIELAB (CIE76 ΔE) as seen with normal vision and simulated protanopia,
 * deuteranopia and tritanopia (Machado, Oliveira & Fernandes 2009, severity
 * 1.0, applied in linear RGB).
 */
import { describe, expect, it } from 'vitest';
import { colour, COLOURS, OKABE_ITO, seriesColour } from '../src/web/svg.js';

type RGB = [number, number, number];
const MACHADO: Record<string, number[][]> = {
  normal: [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
  protanopia: [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
  deuteranopia: [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.01182, 0.04294, 0.968881]],
  tritanopia: [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.3039]],
};
const hex = (h: string): RGB => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16) / 255) as RGB;
const toLinear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
function lab(h: string, vision: string): RGB {
  const lin = hex(h).map(toLinear) as RGB;
  const m = MACHADO[vision]!;
  const [r, g, b] = m.map((row) => Math.min(1, Math.max(0, row[0]! * lin[0] + row[1]! * lin[1] + row[2]! * lin[2]))) as RGB;
  const [x, y, z] = [(0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b, (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883];
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}
const deltaE = (a: string, b: string, vision: string) => { const [p, q] = [lab(a, vision), lab(b, vision)]; return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]); };

/** The smallest ΔE over the pairs, under any of the four visions, with the pair that has it. */
function closest(pairs: [string, string][]): { d: number; pair: string } {
  let best = { d: Infinity, pair: '' };
  for (const [a, b] of pairs) for (const v of Object.keys(MACHADO)) {
    const d = deltaE(colour(a), colour(b), v);
    if (d < best.d) best = { d, pair: `${a} ${colour(a)} / ${b} ${colour(b)} (${v})` };
  }
  return best;
}
const allPairs = (xs: readonly string[]): [string, string][] => xs.flatMap((a, i) => xs.slice(i + 1).map((b): [string, string] => [a, b]));
const neighbours = (xs: readonly string[]): [string, string][] => xs.slice(1).map((b, i): [string, string] => [xs[i]!, b]);

const CLASSES = ['opstroom', 'half-opstroom', 'gelijk', 'half-afstroom', 'afstroom', 'not-comparable', 'no-advice', 'no-vo-diploma'];
const AFTER_MBO = ['mbo-higher', 'mbo-same', 'mbo-lower', 'hbo', 'wo', 'vo', 'not-enrolled'];
/** The states of the levels chart in stacking order (the order categoryOrder gives). */
const STATES = ['po', 'pro', 'vmbo-b', 'vmbo-b/k', 'vmbo-k', 'vmbo-k/t', 'vmbo-g', 'vmbo-gt', 'vmbo-t', 'vmbo-t/havo', 'havo', 'havo/vwo', 'vmbo-t/havo/vwo', 'vwo', 'vso',
  'mbo-1', 'mbo-2', 'mbo-3', 'mbo-4', 'hbo', 'wo', 'left-with-startkwalificatie', 'left-without-startkwalificatie', 'unknown'];

describe('chart colours for colour-blind readers', () => {
  it('every category has a colour of its own (no fallback grey)', () => {
    for (const c of [...CLASSES, ...AFTER_MBO, ...STATES]) expect(COLOURS[c], c).toBeDefined();
  });

  it('the classes (one 100% bar) are all at least ΔE 10 apart', () => {
    expect(closest(allPairs(CLASSES)).d, closest(allPairs(CLASSES)).pair).toBeGreaterThanOrEqual(10);
  });

  it('the states after an mbo diploma are all at least ΔE 10 apart', () => {
    expect(closest(allPairs(AFTER_MBO)).d, closest(allPairs(AFTER_MBO)).pair).toBeGreaterThanOrEqual(10);
  });

  it('levels that touch in a stacked column are at least ΔE 10 apart', () => {
    expect(closest(neighbours(STATES)).d, closest(neighbours(STATES)).pair).toBeGreaterThanOrEqual(10);
  });

  it('series (groups, rule sets) are the Okabe-Ito colours, the first five all at least ΔE 15 apart', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(seriesColour)).toEqual([...OKABE_ITO]);
    const five = OKABE_ITO.slice(0, 5);
    let d = Infinity;
    for (const [a, b] of allPairs(five)) for (const v of Object.keys(MACHADO)) d = Math.min(d, deltaE(a, b, v));
    expect(d).toBeGreaterThanOrEqual(15);
  });
});
