import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '@leerroutes/engine';
import { type ReportRow } from '@leerroutes/indicators';
import { generatePopulation, ZUID_DISTRICT } from '@leerroutes/synthetic';

/**
 * The engine's own reports on a generated population reproduce the shapes the
 * generator was given (SPEC section 8), within sampling error: a check that
 * generator, import, fold and indicators agree, not only the generator alone.
 */
const LEARNERS = 20_000;
const COHORT = '2011-2012'; // advice given the school year before the 2012 intake

const sum = (rows: readonly ReportRow[], pick: (r: ReportRow) => boolean) => rows.filter(pick).reduce((n, r) => n + (r.count ?? 0), 0);
/** Three standard errors of a share p over n learners, plus a little for the model's own spread. */
const tolerance = (p: number, n: number) => 3 * Math.sqrt((p * (1 - p)) / n) + 0.01;

describe(`calibration: reports on ${LEARNERS} generated learners`, () => {
  let root: string;
  let engine: Engine;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'leerroutes-calibration-'));
    await generatePopulation({ out: join(root, 'population'), learners: LEARNERS, cohorts: '2012', seed: 'calibration' });
    engine = await openEngine({ db: join(root, 'p.sqlite') });
    await engine.importDirectory(join(root, 'population'));
  }, 600_000);
  afterAll(async () => {
    await engine?.close();
    rmSync(root, { recursive: true, force: true });
  });

  const report = (indicator: 'advice-position' | 'streams', by: string[]) =>
    engine.report({ indicator, cohortType: 'advice', cohort: COHORT, rules: 'monitor', by, unsuppressed: true });

  it('shows year-3 afstroom near 28% in the Zuid-like district and near 20% elsewhere', async () => {
    const { rows } = await report('advice-position', ['area:3']);
    const zuid = rows.filter((r) => r.group['area:3'] === ZUID_DISTRICT);
    const rest = rows.filter((r) => r.group['area:3'] !== ZUID_DISTRICT);
    const zuidN = zuid[0]?.denominator ?? 0;
    const restN = [...new Set(rest.map((r) => JSON.stringify(r.group)))].reduce((n, g) => n + (rest.find((r) => JSON.stringify(r.group) === g)?.denominator ?? 0), 0);
    expect(zuidN).toBeGreaterThan(150);
    const zuidShare = sum(zuid, (r) => r.category === 'afstroom') / zuidN;
    const restShare = sum(rest, (r) => r.category === 'afstroom') / restN;
    expect(Math.abs(zuidShare - 0.28), `Zuid afstroom ${zuidShare.toFixed(3)} over ${zuidN}`).toBeLessThan(tolerance(0.28, zuidN));
    expect(Math.abs(restShare - 0.2), `elsewhere ${restShare.toFixed(3)} over ${restN}`).toBeLessThan(tolerance(0.2, restN));
    expect(zuidShare).toBeGreaterThan(restShare);
  });

  it('shows weighted learners moving down more, up less and repeating more per VO step', async () => {
    const { rows } = await report('streams', ['pupil_weight']);
    const rate = (weight: string, category: string) => {
      const mine = rows.filter((r) => r.group['pupil_weight'] === weight);
      const steps = [...new Map(mine.map((r) => [r.offset, r.denominator ?? 0])).values()].reduce((a, b) => a + b, 0);
      return sum(mine, (r) => r.category === category) / steps;
    };
    expect(rate('1.2', 'afstroom')).toBeGreaterThan(rate('0', 'afstroom'));
    expect(rate('1.2', 'opstroom')).toBeLessThan(rate('0', 'opstroom'));
    expect(rate('1.2', 'repeated')).toBeGreaterThan(rate('0', 'repeated'));
  });
});
