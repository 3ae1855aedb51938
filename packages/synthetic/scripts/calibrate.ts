/**
 * Prints the shapes the parameters yield on an in-memory population, so a
 * change to PARAMETERS can be checked against SPEC section 8's targets and the
 * published figures of section 1 (src/figures.ts):
 *   pnpm tsx packages/synthetic/scripts/calibrate.ts [learners] [seed] [cohorts] [until]
 * The default window follows every cohort to age 22 (until = last intake + 11):
 * summed over such a window, the early leavers of a cohort's whole life stand
 * for one school year's count over all ages, which is what the published
 * 1 : 2.3 is. A shorter window cuts off the older (mostly mbo) leavers.
 */
import * as E from 'fp-ts/lib/Either.js';
import { compareSpans, parseVoLevel, type Span } from '@leerroutes/domain';
import { spanForScore } from '../src/advice.js';
import { buildWorld, simulateLearner } from '../src/life.js';
import { ZUID_DISTRICT } from '../src/geography.js';
import { parseCohorts } from '../src/options.js';
import { PublishedFigures, contextOfWorld, describeFigures, figureLearnerOf } from '../src/figures.js';

const n = Number(process.argv[2] ?? 50_000);
const { first, last } = parseCohorts(process.argv[4] ?? '2012-2016');
const until = Number(process.argv[5] ?? last + 11);
const world = buildWorld({ seed: process.argv[3] ?? 'calibrate', learners: n, firstIntake: first, lastIntake: last, until });
const published = new PublishedFigures(contextOfWorld(world));
const span = (code: string): Span | null => {
  const r = parseVoLevel(code);
  return E.isRight(r) ? r.right.span : null;
};
const pct = (a: number, b: number) => (b === 0 ? '-' : ((100 * a) / b).toFixed(1) + '%');
const count = new Map<string, number>();
const inc = (k: string, by = 1) => count.set(k, (count.get(k) ?? 0) + by);

for (let i = 0; i < n; i++) {
  const l = simulateLearner(world, i);
  published.add(figureLearnerOf(l));
  const bg = l.learners[0]!;
  const weighted = bg.pupilWeight === '0.3' || bg.pupilWeight === '1.2' ? 'w' : 'nw';
  const zuid = bg.area === ZUID_DISTRICT ? 'zuid' : 'rest';
  const final = l.advice.find((a) => a.kind === 'final')!;
  const latest = l.advice[l.advice.length - 1]!;
  inc('learners');
  inc(`advice:${latest.level}`);
  if (l.advice.some((a) => a.kind === 'revised')) inc('revised');
  if (final.testScore !== null) {
    const under = compareSpans(spanForScore(final.testScore), span(final.level)!) === 'afstroom';
    inc(`scored:${bg.parental}`);
    if (under) inc(`under:${bg.parental}`);
  }
  const vo = l.enrolments.filter((e) => e.sector === 'vo');
  const y3 = vo.find((e) => e.grade === 3);
  const refSpan = span(latest.level)!;
  if (y3) {
    inc(`y3:${zuid}`);
    const s3 = span(y3.level);
    if (s3 && compareSpans(refSpan, s3) === 'afstroom') inc(`y3down:${zuid}`);
    if (s3 && compareSpans(refSpan, s3) === 'half-afstroom') inc(`y3half:${zuid}`);
  }
  for (let k = 1; k < vo.length; k++) {
    const a = vo[k - 1]!, b = vo[k]!;
    if (b.year !== a.year + 1) continue;
    if (l.diplomas.some((d) => d.year === a.year && ['vmbo-b', 'vmbo-k', 'vmbo-g', 'vmbo-t', 'havo', 'vwo'].includes(d.level))) continue;
    const sa = span(a.level), sb = span(b.level);
    inc(`steps:${weighted}`);
    if (b.grade <= a.grade) inc(`repeat:${weighted}`);
    if (b.institution !== a.institution) inc(`switch:${weighted}`);
    if (sa && sb) {
      const c = compareSpans(sa, sb);
      if (c.endsWith('afstroom')) inc(`down:${weighted}`);
      if (c.endsWith('opstroom')) inc(`up:${weighted}`);
    }
  }
  for (const d of l.diplomas) inc(`diploma:${d.level}`);
  const levels = l.diplomas.map((d) => d.level);
  if (levels.includes('vmbo-t') && vo.some((e) => e.level === 'havo' && e.grade === 4 && l.diplomas.some((d) => d.level === 'vmbo-t' && d.year < e.year))) inc('stack:vmbo-t>havo');
  if (levels.includes('havo') && levels.includes('vwo')) inc('stack:havo>vwo');
  if (levels.includes('mbo-4') && l.enrolments.some((e) => e.sector === 'hbo')) inc('stack:mbo-4>hbo');
  if (levels.includes('hbo-p') && l.enrolments.some((e) => e.sector === 'wo')) inc('stack:hbo>wo');
  const years = new Set(l.enrolments.map((e) => e.year));
  if (Math.max(...years) < world.until) inc('left-before-end');
  for (const y of years) if (!years.has(y + 1) && [...years].some((z) => z > y + 1)) inc('re-entered');
}

const g = (k: string) => count.get(k) ?? 0;
console.log(`learners ${g('learners')}, intake cohorts ${first}-${last}, reference dates ${first - 1}-10-01 .. ${until}-10-01, seed ${process.argv[3] ?? 'calibrate'}`);
console.log('advice (latest):', [...count].filter(([k]) => k.startsWith('advice:')).map(([k, v]) => `${k.slice(7)} ${pct(v, g('learners'))}`).join(', '));
console.log(`revised ${pct(g('revised'), g('learners'))}`);
for (const pe of ['low', 'middle', 'high']) console.log(`too-low advice ${pe}: ${pct(g(`under:${pe}`), g(`scored:${pe}`))}`);
console.log(`ratio low/high ${(g('under:low') / g('scored:low') / (g('under:high') / g('scored:high'))).toFixed(2)}`);
console.log(`year-3 afstroom vs the latest advice (area of the first learners.csv row): zuid ${pct(g('y3down:zuid'), g('y3:zuid'))} (n=${g('y3:zuid')}), elsewhere ${pct(g('y3down:rest'), g('y3:rest'))}; half-afstroom zuid ${pct(g('y3half:zuid'), g('y3:zuid'))} elsewhere ${pct(g('y3half:rest'), g('y3:rest'))}`);
for (const w of ['w', 'nw']) console.log(`steps ${w}: down ${pct(g(`down:${w}`), g(`steps:${w}`))} up ${pct(g(`up:${w}`), g(`steps:${w}`))} repeat ${pct(g(`repeat:${w}`), g(`steps:${w}`))} switch ${pct(g(`switch:${w}`), g(`steps:${w}`))}`);
console.log('diplomas:', [...count].filter(([k]) => k.startsWith('diploma:')).map(([k, v]) => `${k.slice(8)} ${v}`).join(', '));
console.log('stacking:', [...count].filter(([k]) => k.startsWith('stack:')).map(([k, v]) => `${k.slice(6)} ${v}`).join(', '));
console.log(`left before end of window ${pct(g('left-before-end'), g('learners'))}, gaps followed by re-entry ${g('re-entered')}`);
console.log('published figures (SPEC section 1), from the rows as the CSVs carry them:');
for (const line of describeFigures(published.result())) console.log(line);
