import { parseArgs, suggestOption } from './args.js';
import { CommandError, UsageError, acceptedOptions, helpText, type Command } from './command.js';
import { COMMANDS, type CommandEntry } from './registry.js';
import { failureMessage } from './failure.js';

function overview(commands: readonly CommandEntry[]): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  return [
    'Usage: pnpm pathways <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Commands that read or write the event log take --db PATH|URL (or PATHWAYS_DB; default ./data/pathways.sqlite; a postgres:// URL puts the log, ledger and views in PostgreSQL).',
    "Run 'pnpm pathways help <command>' (or '<command> --help') for a command's options.",
  ].join('\n');
}

function unknownCommand(name: string, commands: readonly CommandEntry[]): number {
  const guess = suggestOption(name, commands.map((c) => c.name));
  process.stderr.write(`Unknown command '${name}'${guess ? ` (did you mean '${guess}'?)` : ''}.\n\n${overview(commands)}\n`);
  return 2;
}

/** `help` alone gives the overview; `help <command>` what `<command> --help` gives. */
async function help(topics: readonly string[], commands: readonly CommandEntry[]): Promise<number> {
  const [topic, ...extra] = topics;
  if (topic === undefined) {
    process.stdout.write(overview(commands) + '\n');
    return 0;
  }
  const entry = commands.find((c) => c.name === topic);
  if (!entry) return unknownCommand(topic, commands);
  if (extra.length) {
    process.stderr.write(`error: help takes one command name, got also '${extra.join(' ')}'\n`);
    return 2;
  }
  process.stdout.write(helpText((await entry.load()).command) + '\n');
  return 0;
}

/** --help wins over whatever else is wrong on the line, so a user can always find out what is accepted. */
const asksForHelp = (argv: readonly string[]): boolean => {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
};

async function runCommand(command: Command, argv: readonly string[]): Promise<number> {
  if (asksForHelp(argv)) {
    process.stdout.write(helpText(command) + '\n');
    return 0;
  }
  try {
    const { args, flags } = parseArgs(argv, acceptedOptions(command), command.maxArgs);
    return await command.run({ args, flags, env: process.env, stdout: process.stdout, stderr: process.stderr });
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n\n${helpText(command)}\n`);
      return 2;
    }
    if (err instanceof CommandError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

async function main(argv: string[]): Promise<number> {
  const commands = COMMANDS;
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(overview(commands) + '\n');
    return name ? 0 : 2;
  }
  if (name === 'help') return help(rest, commands);
  const entry = commands.find((c) => c.name === name);
  if (!entry) return unknownCommand(name, commands);
  return runCommand((await entry.load()).command, rest);
}

// A reader that stops early (`pathways dump | head`) closes the pipe: that is the reader's choice, not a
// failure, so leave quietly instead of crashing on the unhandled write error. Every command's output is
// either a read (nothing to lose) or written after its work is committed.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    process.stderr.write(`${failureMessage(err)}\n`);
    process.exitCode = 1;
  },
);
