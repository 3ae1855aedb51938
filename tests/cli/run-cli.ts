import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
/** The `pathways` command (the CLI's launcher), for a test that runs it as a process of its own (in the background, say): `node CLI_ENTRY ...`. */
export const CLI_ENTRY = join(ROOT, 'services/cli/bin/pathways.js');

/** Run `pnpm pathways ...` the way a user does (the launcher, which starts the CLI from its bundle), with its own environment. */
export function pathways(args: readonly string[], env: Record<string, string> = {}, timeoutMs = 120_000): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI_ENTRY, ...args], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env, FORCE_COLOR: '0' }, timeout: timeoutMs, maxBuffer: 512 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
