/**
 * Where the browser tests find Chromium, in one place for the tests and the
 * screenshot script: CHROMIUM_PATH when set, else `chromium` on PATH (Debian's
 * package, as `bash scripts/quickstart.sh` and `.ci/run` install it).
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const executable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

export type ChromiumLookup = { readonly path: string } | { readonly missing: string };

export function findChromium(env: NodeJS.ProcessEnv = process.env): ChromiumLookup {
  const explicit = env['CHROMIUM_PATH'];
  if (explicit) return executable(explicit) ? { path: explicit } : { missing: `CHROMIUM_PATH=${explicit} is not an executable file` };
  for (const dir of (env['PATH'] ?? '').split(delimiter).filter(Boolean)) {
    if (executable(join(dir, 'chromium'))) return { path: join(dir, 'chromium') };
  }
  return { missing: 'no chromium on PATH (apt-get install -y chromium, or set CHROMIUM_PATH)' };
}
