/** The dashboard as the API server serves it: the built page and its two assets. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDashboard, bundleIsStale, distDir } from './build.js';

export { buildDashboard, distDir } from './build.js';

export interface DashboardFiles {
  index(options: { dashboardKey: string | null }): string;
  asset(path: string): { body: string; type: string; etag: string } | undefined;
}

const TYPES: Record<string, string> = { 'app.js': 'text/javascript; charset=utf-8', 'app.css': 'text/css; charset=utf-8' };
const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** Builds the bundle first when it is missing or older than its sources, so `serve` works from a fresh checkout. */
export async function loadDashboard(options: { dir?: string; build?: boolean } = {}): Promise<DashboardFiles> {
  const dir = options.dir ?? distDir;
  if (options.build ?? bundleIsStale(dir)) await buildDashboard(dir);
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const assets = new Map(Object.entries(TYPES).map(([name, type]) => {
    const body = readFileSync(join(dir, name), 'utf8');
    return [name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` }];
  }));
  return {
    index: ({ dashboardKey }) => html.replace('<!--KEY-->', dashboardKey ? `<meta name="leerroutes-key" content="${escapeAttr(dashboardKey)}">` : ''),
    asset: (path) => assets.get(path),
  };
}
