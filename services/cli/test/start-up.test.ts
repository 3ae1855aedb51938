/**
 * What a command loads before it runs: the launcher starts the CLI from a
 * bundle split at dynamic imports, so a command loads the modules its own
 * file reaches by static imports, and nothing else. pg is one of them only
 * where a PostgreSQL URL is given: on the embedded default it cost every
 * command about a tenth of a second. This reads esbuild's account of the
 * bundle (its metafile), the same bundle the launcher makes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '@leerroutes/threads/bundles';
import { COMMANDS } from '../src/registry.js';

const MAIN = 'services/cli/src/main.ts';
const repoRoot = new URL('../../../', import.meta.url).pathname;
const outdir = mkdtempSync(join(tmpdir(), 'leerroutes-start-up-'));
let metafile: Awaited<ReturnType<typeof buildBundle>>;
let inputs: typeof metafile['inputs'];

beforeAll(async () => {
  metafile = await buildBundle([new URL('../src/main.ts', import.meta.url).href], outdir, { splitting: true, ownUrls: true, cwd: repoRoot });
  inputs = metafile.inputs;
}, 60_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** Every module loaded when `from` is imported, each with the module that imported it first. */
function staticClosure(from: readonly string[]): Map<string, string | null> {
  const parent = new Map<string, string | null>(from.map((f) => [f, null]));
  const queue = [...from];
  for (let at = queue.shift(); at !== undefined; at = queue.shift()) {
    for (const i of inputs[at]?.imports ?? []) {
      if (i.kind !== 'import-statement' || parent.has(i.path)) continue;
      parent.set(i.path, at);
      queue.push(i.path);
    }
  }
  return parent;
}

const chainTo = (parent: Map<string, string | null>, target: string): string => {
  const chain: string[] = [];
  for (let at: string | null | undefined = target; at; at = parent.get(at)) chain.unshift(at);
  return chain.join(' -> ');
};

/** The first module matching `wanted` that loading `from` loads, as the chain of imports that reaches it, or null. */
function firstLoadOf(from: readonly string[], wanted: RegExp): string | null {
  const parent = staticClosure(from);
  const hit = [...parent.keys()].find((path) => wanted.test(path));
  return hit === undefined ? null : chainTo(parent, hit);
}

const PG = /node_modules\/\.pnpm\/pg@[^/]+\/node_modules\/pg\//;
const DUCKDB = /node_modules\/\.pnpm\/@duckdb\+node-api@[^/]+\/node_modules\/@duckdb\/node-api\//;
/** The commands that never read or write the views: loading DuckDB (about a quarter of a second) would be for nothing. */
const WITHOUT_VIEWS = ['generate', 'stats', 'keys', 'backup'];

describe('what a command loads before it runs', () => {
  it('the metafile names every command module and pg where PostgreSQL is used', () => {
    for (const { name } of COMMANDS) expect(inputs[`services/cli/src/commands/${name}.ts`], name).toBeDefined();
    // The check below means something only if pg is in the bundle's graph (as a package it imports, not bundles).
    expect(Object.values(inputs).some((input) => input.imports.some((i) => PG.test(i.path)))).toBe(true);
    expect(firstLoadOf(['packages/event-store/src/postgres/index.ts'], PG)).not.toBeNull();
    expect(firstLoadOf([MAIN, 'services/cli/src/commands/report.ts'], DUCKDB)).not.toBeNull();
    for (const name of WITHOUT_VIEWS) expect(COMMANDS.map((c) => c.name)).toContain(name);
  });

  it.each(COMMANDS.map((c) => c.name))('`%s` loads pg only when given a PostgreSQL URL', (name) => {
    expect(firstLoadOf([MAIN, `services/cli/src/commands/${name}.ts`], PG)).toBeNull();
  });

  it("DuckDB's package is required, not imported (Node would lex each of its files first)", () => {
    const importers = Object.entries(metafile.outputs).filter(([, output]) => output.imports.some((i) => DUCKDB.test(i.path)));
    expect(importers.map(([name]) => name)).toEqual([]);
    // ... and it is still in the bundle's graph, as the module that requires it.
    expect(Object.keys(inputs).filter((path) => DUCKDB.test(path))).toHaveLength(1);
  });

  it.each(WITHOUT_VIEWS)('`%s`, which never touches the views, does not load DuckDB', (name) => {
    expect(firstLoadOf([MAIN, `services/cli/src/commands/${name}.ts`], DUCKDB)).toBeNull();
  });
});
