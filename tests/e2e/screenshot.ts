/**
 * The README's dashboard screenshot: a server on a generated population, the
 * page opened as with `serve --open-dashboard`, one view captured into
 * docs/img/dashboard.png (and every view into test-artifacts/screenshots/).
 *
 *   pnpm tsx tests/e2e/screenshot.ts [--learners 4000]
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemo } from '@leerroutes/api/demo';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from './browser.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const chromiumLookup = findChromium();
if ('missing' in chromiumLookup) throw new Error(`Chromium not found: ${chromiumLookup.missing}`);
const i = process.argv.indexOf('--learners');
const learners = i > 0 ? Number(process.argv[i + 1]) : 4000;

const demo = await startDemo({ learners, cohorts: '2012-2013', seed: 2017, openDashboard: true });
const browser = await chromium.launch({ executablePath: chromiumLookup.path, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 });
  const views = ['flows', 'distribution', 'streams', 'advice-position', 'compare', 'school-profile', 'after-mbo'];
  mkdirSync(join(root, 'docs', 'img'), { recursive: true });
  mkdirSync(join(root, 'test-artifacts', 'screenshots'), { recursive: true });
  for (const view of views) {
    const by = view === 'streams' || view === 'advice-position' ? 'parental_education' : '';
    await page.goto(`${demo.server.url}/#view=${view}&cohortType=advice&cohort=2011-2012&rules=monitor${by ? `&by=${by}` : ''}`);
    await page.waitForSelector(`#panel:not([aria-busy]) .view[data-view="${view}"]`);
    await page.screenshot({ path: join(root, 'test-artifacts', 'screenshots', `readme-${view}.png`), fullPage: true });
    if (view === 'flows') await page.screenshot({ path: join(root, 'docs', 'img', 'dashboard.png') });
  }
  process.stdout.write(`wrote docs/img/dashboard.png and test-artifacts/screenshots/readme-*.png\n`);
} finally {
  await browser.close();
  await demo.close();
}
