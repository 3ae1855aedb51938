import { parseVoLevel, type LevelRef } from './levels.js';
import * as E from 'fp-ts/lib/Either.js';

/**
 * The level an end-of-primary test score indicates. The scale is data: the
 * central eindtoets reported 501-550 with these bands; a different test can
 * ship its own table.
 */
export interface ScoreBand { readonly min: number; readonly max: number; readonly level: string }

export const EINDTOETS_BANDS: readonly ScoreBand[] = [
  { min: 501, max: 518, level: 'vmbo-b' },
  { min: 519, max: 525, level: 'vmbo-b/k' },
  { min: 526, max: 528, level: 'vmbo-k' },
  { min: 529, max: 532, level: 'vmbo-t' },
  { min: 533, max: 536, level: 'vmbo-t/havo' },
  { min: 537, max: 539, level: 'havo' },
  { min: 540, max: 544, level: 'havo/vwo' },
  { min: 545, max: 550, level: 'vwo' },
];

export function levelForScore(score: number, bands: readonly ScoreBand[] = EINDTOETS_BANDS): LevelRef | null {
  const band = bands.find((b) => score >= b.min && score <= b.max);
  if (!band) return null;
  const parsed = parseVoLevel(band.level);
  return E.isRight(parsed) ? parsed.right : null;
}
