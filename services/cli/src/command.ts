import { looksLikeBsn } from '@leerroutes/domain';
import { existsSync } from 'node:fs';
import { defaultViewsPath, isPostgresUrl } from '@leerroutes/engine/paths';

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

/**
 * One option a command accepts. The parser refuses every option a command does
 * not declare, and the help lists exactly these, so what is documented and what
 * is accepted cannot drift apart.
 */
export interface OptionSpec {
  /** Without the dashes: 'cohort-type'. */
  readonly name: string;
  /** Placeholder for the value in the help ('PATH', 'N'); absent for a switch, which takes no value. */
  readonly value?: string;
  readonly description: string;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Synopsis and prose; the option lines of the help are generated from `options`. */
  readonly usage: string;
  /** Every option the command takes besides --help. */
  readonly options: readonly OptionSpec[];
  /** Positional arguments it takes at most; more are a usage error rather than silently dropped. */
  readonly maxArgs: number;
  run(ctx: CommandContext): Promise<number>;
}

/** Every command takes it; main answers it before the command runs. */
export const HELP_OPTION: OptionSpec = { name: 'help', description: "this help (also -h, or 'pnpm pathways help <command>')" };

/** The options a command's parser accepts. */
export const acceptedOptions = (command: Command): readonly OptionSpec[] => [...command.options, HELP_OPTION];

const optionLabel = (o: OptionSpec): string => `--${o.name}${o.value ? ` ${o.value}` : ''}`;

const HELP_WIDTH = 100;

/** Words of `text` in lines of at most `width` characters (a longer word gets a line of its own). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

/** What `<command> --help` prints: the command's usage, then the accepted options, generated from their declaration. */
export function helpText(command: Command): string {
  const options = acceptedOptions(command);
  const width = Math.max(...options.map((o) => optionLabel(o).length));
  const indent = ' '.repeat(2 + width + 2);
  const lines = options.flatMap((o) =>
    wrap(o.description, Math.max(30, HELP_WIDTH - indent.length)).map((text, i) => (i === 0 ? `  ${optionLabel(o).padEnd(width)}  ${text}` : indent + text)),
  );
  return [command.usage, '', 'Options:', ...lines].join('\n');
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

/**
 * Learner-level reads refuse an id shaped like a citizen service number, as
 * the import and the API do. The message does not repeat the number, so it
 * does not end up in logs.
 */
export function refuseBsn(learnerId: string): void {
  if (looksLikeBsn(learnerId)) throw new UsageError('that learner id looks like a citizen service number (BSN), which is never a learner id');
}

/** The event log: --db, else PATHWAYS_DB, else ./data/pathways.sqlite; a file path or a postgres:// URL. */
export const dbPath = (ctx: CommandContext): string => stringFlag(ctx, 'db') ?? ctx.env['PATHWAYS_DB'] ?? './data/pathways.sqlite';

/**
 * The log of a command that only reads or projects what is there: a file
 * that does not exist is a mistake worth naming before anything creates it;
 * a PostgreSQL database is checked by connecting to it.
 */
export function existingLog(ctx: CommandContext): string {
  const db = dbPath(ctx);
  if (!isPostgresUrl(db) && !existsSync(db)) throw new CommandError(`no event log at ${db} (import something first, or pass --db)`);
  return db;
}

/**
 * The read models: --views, else PATHWAYS_VIEWS, else a directory next to a
 * log file (the engine's default); with a PostgreSQL log and neither given,
 * none: the views live in that database.
 */
export const viewsPath = (ctx: CommandContext): string | undefined =>
  stringFlag(ctx, 'views') ?? ctx.env['PATHWAYS_VIEWS'] ?? (isPostgresUrl(dbPath(ctx)) ? undefined : defaultViewsPath(dbPath(ctx)));
