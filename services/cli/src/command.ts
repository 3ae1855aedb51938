/**
 * A CLI command: parsed flags in, an exit code out. Commands print their own
 * output; errors meant for the user are thrown as UsageError or CommandError.
 */
export interface CommandContext {
  readonly args: readonly string[];
  readonly flags: Readonly<Record<string, string | boolean>>;
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(ctx: CommandContext): Promise<number>;
}

/** Wrong arguments: the usage is printed, exit code 2. */
export class UsageError extends Error {}
/** The command could not do its work: the message is printed, exit code 1. */
export class CommandError extends Error {}

export function stringFlag(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.flags[name];
  if (v === undefined) return undefined;
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v as string;
}

export function intFlag(ctx: CommandContext, name: string): number | undefined {
  const v = stringFlag(ctx, name);
  if (v === undefined) return undefined;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(n)) throw new UsageError(`--${name} must be a whole number, got '${v}'`);
  return n;
}

/** The event log file: --db, else PATHWAYS_DB, else ./data/pathways.sqlite. */
export const dbPath = (ctx: CommandContext): string => stringFlag(ctx, 'db') ?? ctx.env['PATHWAYS_DB'] ?? './data/pathways.sqlite';

/** The read models live next to the log in their own file, so readers never wait on the importer. */
export const viewsPath = (ctx: CommandContext): string =>
  stringFlag(ctx, 'views') ?? ctx.env['PATHWAYS_VIEWS'] ?? dbPath(ctx).replace(/(\.sqlite)?$/, '.views.sqlite');
