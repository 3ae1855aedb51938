/**
 * Bundles the dashboard with esbuild into dist/: one ES module and one
 * stylesheet. Run by `pnpm --filter @leerroutes/dashboard build`, and by the
 * server at start when the bundle is missing or older than its sources.
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const webDir = join(dirname(fileURLToPath(import.meta.url)), 'web');
export const distDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

export async function buildDashboard(outDir: string = distDir): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [join(webDir, 'main.ts')],
    outfile: join(outDir, 'app.js'),
    bundle: true, minify: true, format: 'esm', target: ['es2022'], sourcemap: false, legalComments: 'none', logLevel: 'warning',
  });
  copyFileSync(join(webDir, 'style.css'), join(outDir, 'app.css'));
  copyFileSync(join(webDir, 'index.html'), join(outDir, 'index.html'));
}

const newest = (dir: string): number => Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) =>
  e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs));

export function bundleIsStale(outDir: string = distDir): boolean {
  try {
    const built = Math.min(...['app.js', 'app.css', 'index.html'].map((f) => statSync(join(outDir, f)).mtimeMs));
    return built < newest(webDir);
  } catch { return true; }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  buildDashboard().then(() => process.stdout.write(`dashboard built into ${distDir}\n`), (err) => { process.stderr.write(String(err) + '\n'); process.exitCode = 1; });
}
