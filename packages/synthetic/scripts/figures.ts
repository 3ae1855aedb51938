/**
 * The published figures of SPEC section 1 (src/figures.ts) measured on a
 * generated directory, streamed from its CSV files:
 *   pnpm tsx packages/synthetic/scripts/figures.ts DIR
 * Only data sets written by the generator without --bad-rows (rows grouped
 * per learner, in id order); the covered window is read from manifest.json.
 */
import { ZUID_DISTRICT } from '../src/geography.js';
import { describeFigures, measureDirectory } from '../src/figures.js';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: figures.ts DIR');
  process.exit(2);
}
for (const line of describeFigures(await measureDirectory(dir, ZUID_DISTRICT))) console.log(line);
