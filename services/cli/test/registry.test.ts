import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acceptedOptions, helpText, type Command } from '../src/command.js';
import { COMMANDS } from '../src/registry.js';

const SRC = join(import.meta.dirname, '..', 'src');
const commands = async (): Promise<Command[]> => Promise.all(COMMANDS.map(async (e) => (await e.load()).command));

/** Option names the source reads: stringFlag(ctx, 'x'), intFlag(ctx, 'x'), fractionFlag(ctx, 'x'), ctx.flags['x']. */
const optionsRead = (source: string): string[] =>
  [...source.matchAll(/(?:Flag\(ctx, |flags\[)'([a-z][a-z0-9-]*)'/g)].map((m) => m[1]!);

/** The synopsis: the help's first paragraph, where options are named by hand. */
const synopsisOptions = (usage: string): string[] =>
  [...usage.split('\n\n')[0]!.matchAll(/--([a-z][a-z0-9-]*)/g)].map((m) => m[1]!);

/** What each command accepted before options became strict; each must still work. */
const EARLIER_OPTIONS: Record<string, readonly string[]> = {
  generate: ['out', 'learners', 'cohorts', 'seed', 'until', 'bad-rows', 'redelivery', 'redelivery-dates', 'no-progress', 'quiet', 'json'],
  import: ['known-at', 'rejects', 'db', 'views', 'json', 'quiet', 'no-progress', 'no-projections'],
  stats: ['db', 'json'],
  learner: ['format', 'json', 'as-known-on', 'db'],
  report: ['cohort', 'cohort-type', 'rules', 'by', 'as-known-on', 'as-of', 'format', 'json', 'unsuppressed', 'min-cell', 'compare-rules', 'db', 'views'],
  explain: ['learner', 'cell', 'cohort', 'cohort-type', 'rules', 'by', 'as-known-on', 'as-of', 'format', 'json', 'unsuppressed', 'min-cell', 'db', 'views'],
  rebuild: ['projection', 'batch-size', 'db', 'views', 'json', 'quiet', 'no-progress'],
  erase: ['reason', 'db', 'views'],
  serve: ['port', 'host', 'db', 'views', 'min-cell', 'workers', 'open-dashboard'],
  keys: ['role', 'name', 'id', 'json', 'db', 'views'],
  // Commands added after options became strict: what they took from the start.
  'catch-up': ['db', 'views', 'json', 'quiet', 'no-progress'],
  dump: ['what', 'db', 'views'],
  export: ['out', 'format', 'cohort', 'cohort-type', 'rules', 'by', 'as-known-on', 'as-of', 'unsuppressed', 'min-cell', 'db', 'views', 'quiet', 'no-progress'],
  project: ['poll', 'db', 'views'],
  backup: ['to', 'db', 'json'],
};

/** Helpers that read options on a command's behalf, and the options they read. */
const HELPERS: Record<string, readonly string[]> = {
  'engineFor(': ['db', 'views'], 'viewsLock(': ['no-wait'], 'dbPath(': ['db'], 'viewsPath(': ['views', 'db'], 'openDeps(': ['db'],
  'createProgress(': ['quiet', 'no-progress'], 'formatFlag(': ['format', 'json'],
  'requestFrom(': ['cohort', 'cohort-type', 'rules', 'by', 'as-known-on', 'as-of', 'unsuppressed', 'min-cell'],
};

describe('the command registry', () => {
  it('lists each command once, under the name its module gives it, with usage text', async () => {
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
    for (const entry of COMMANDS) {
      const { command } = await entry.load();
      expect(command.name).toBe(entry.name);
      expect(command.usage).toMatch(new RegExp(`pnpm pathways ${entry.name}`));
    }
  });

  it("every declared option appears in the command's help, once, with its value placeholder and description", async () => {
    for (const command of await commands()) {
      const names = acceptedOptions(command).map((o) => o.name);
      expect(new Set(names).size, command.name).toBe(names.length);
      const help = helpText(command);
      for (const o of acceptedOptions(command)) {
        const line = help.split('\n').find((l) => l.startsWith(`  --${o.name} `) || l === `  --${o.name}`);
        expect(line, `${command.name} --${o.name}`).toBeDefined();
        expect(line!.slice(2).startsWith(`--${o.name}${o.value ? ` ${o.value}` : ''} `), `${command.name}: ${line}`).toBe(true);
        expect(o.description.length, `${command.name} --${o.name}`).toBeGreaterThan(0);
        expect(help.replace(/\s+/g, ' ')).toContain(o.description.replace(/\s+/g, ' '));
      }
    }
  });

  it('the synopsis names only options the command accepts', async () => {
    for (const command of await commands()) {
      const names = new Set(acceptedOptions(command).map((o) => o.name));
      for (const o of synopsisOptions(command.usage)) expect(names.has(o), `${command.name}: --${o} in the synopsis`).toBe(true);
    }
  });

  it('keeps every option name that worked before options became strict', async () => {
    const all = await commands();
    expect(Object.keys(EARLIER_OPTIONS).sort()).toEqual(all.map((c) => c.name).sort());
    for (const command of all) {
      const names = acceptedOptions(command).map((o) => o.name);
      expect(names, command.name).toEqual(expect.arrayContaining([...EARLIER_OPTIONS[command.name]!]));
    }
  });

  it('declares every option its own code and the helpers it calls read, so none is refused before it is used', async () => {
    const all = await commands();
    const declaredAnywhere = new Set(all.flatMap((c) => acceptedOptions(c).map((o) => o.name)));
    for (const file of readdirSync(SRC).filter((f) => f.endsWith('.ts'))) {
      for (const name of optionsRead(readFileSync(join(SRC, file), 'utf8'))) expect(declaredAnywhere.has(name), `${file} reads --${name}`).toBe(true);
    }
    for (const command of all) {
      const source = readFileSync(join(SRC, 'commands', `${command.name}.ts`), 'utf8');
      const declared = new Set(acceptedOptions(command).map((o) => o.name));
      const read = [...optionsRead(source), ...Object.entries(HELPERS).flatMap(([call, names]) => (source.includes(call) && !source.includes(`function ${call}`) ? names : []))];
      expect(read.length, command.name).toBeGreaterThan(0);
      for (const name of read) expect(declared.has(name), `${command.name} reads --${name}`).toBe(true);
    }
  });
});
