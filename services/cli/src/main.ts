import { parseArgs } from './args.js';
import { CommandError, UsageError } from './command.js';
import { BOOLEAN_FLAGS, COMMANDS, type CommandEntry } from './registry.js';

function help(commands: readonly CommandEntry[]): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  return [
    'Usage: pnpm pathways <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Common options: --db PATH (or PATHWAYS_DB; default ./data/pathways.sqlite)',
    "Run 'pnpm pathways <command> --help' for a command's options.",
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const commands = COMMANDS;
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help') {
    process.stdout.write(help(commands) + '\n');
    return name ? 0 : 2;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    process.stderr.write(`Unknown command '${name}'.\n\n${help(commands)}\n`);
    return 2;
  }
  const { command } = await entry.load();
  const { args, flags } = parseArgs(rest, BOOLEAN_FLAGS);
  if (flags['help']) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run({ args, flags, env: process.env, stdout: process.stdout, stderr: process.stderr });
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n\n${command.usage}\n`);
      return 2;
    }
    if (err instanceof CommandError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    process.stderr.write(`unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
