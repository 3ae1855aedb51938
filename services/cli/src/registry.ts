import type { Command } from './command.js';

/**
 * Every CLI command, in the order `pathways help` lists them. Adding a command
 * is one file under commands/ and one line here.
 */
export async function loadCommands(): Promise<Command[]> {
  const modules = await Promise.all([
    import('./commands/generate.js'),
    import('./commands/import.js'),
    import('./commands/stats.js'),
    import('./commands/serve.js'),
    import('./commands/keys.js'),
    import('./commands/rebuild.js'),
    import('./commands/report.js'),
    import('./commands/explain.js'),
    import('./commands/learner.js'),
  ]);
  return modules.map((m: { command: Command }) => m.command);
}

/** Flags that never take a value. */
export const BOOLEAN_FLAGS = new Set(['help', 'unsuppressed', 'quiet', 'no-progress', 'json', 'force', 'with-errors', 'no-projections', 'open-dashboard']);
