import { RANK_LEVEL } from '@leerroutes/domain';

/** Ranks as numbers: pro 0 .. vwo 5 (SPEC section 3). */
export const PRO = 0;
export const VWO = 5;

/** The codes the generator writes for a rank span; combined classes use the SPEC's spellings. */
const COMBINED: Readonly<Record<string, string>> = {
  '0-1': 'pro/vmbo-b',
  '1-2': 'vmbo-b/k',
  '2-3': 'vmbo-k/t',
  '3-4': 'vmbo-t/havo',
  '4-5': 'havo/vwo',
  '3-5': 'vmbo-t/havo/vwo',
};

export function spanCode(low: number, high: number): string {
  if (low === high) return RANK_LEVEL[low]!;
  const c = COMBINED[`${low}-${high}`];
  if (!c) throw new Error(`no level code for span ${low}-${high}`);
  return c;
}

/** Final grade of a single VO level: vmbo 4, havo 5, vwo 6, pro 6. */
export function finalGrade(rank: number): number {
  if (rank === PRO) return 6;
  if (rank <= 3) return 4;
  return rank === 4 ? 5 : 6;
}

/** The VO diploma a single rank leads to (vmbo-g when the learner follows the gemengde leerweg). */
export function diplomaFor(rank: number, gemengd: boolean): string {
  if (rank === 3) return gemengd ? 'vmbo-g' : 'vmbo-t';
  return RANK_LEVEL[rank]!;
}

export interface RankSpan { readonly low: number; readonly high: number }
