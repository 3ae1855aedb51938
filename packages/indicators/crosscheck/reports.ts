/**
 * The cross-check's batch runner: `pathways report` for many argument lists
 * in one process, so that a matrix of hundreds of reports does not pay the
 * CLI's start-up (tsx, the engine) hundreds of times.
 *
 * It runs the CLI's own `report` command: the same registry entry, the same
 * argument parser and the same `run` that `node --import tsx
 * services/cli/src/main.ts report ...` reaches; only the process around it is
 * shared. crosscheck.py also runs a sample of the requests through the real
 * CLI and requires identical output, so this file cannot drift from it.
 *
 * Input (stdin): one JSON array of CLI arguments per line, without the
 * leading `report` (e.g. ["advice-position","--cohort","2012-2013",...]).
 * Output (stdout): one JSON object per input line, in order:
 * { "code": <exit code>, "stdout": "...", "stderr": "..." }.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { parseArgs } from '../../../services/cli/src/args.js';
import { CommandError, UsageError, acceptedOptions } from '../../../services/cli/src/command.js';
import { COMMANDS } from '../../../services/cli/src/registry.js';

/** A writable that keeps what is written to it. */
function sink(): { stream: NodeJS.WritableStream; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

async function main(): Promise<void> {
  const entry = COMMANDS.find((c) => c.name === 'report');
  if (!entry) throw new Error('the CLI has no report command');
  const { command } = await entry.load();
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const argv = JSON.parse(line) as string[];
    const out = sink();
    const err = sink();
    let code: number;
    try {
      const { args, flags } = parseArgs(argv, acceptedOptions(command), command.maxArgs);
      code = await command.run({ args, flags, env: process.env, stdout: out.stream, stderr: err.stream });
    } catch (e) {
      if (e instanceof UsageError) code = 2;
      else if (e instanceof CommandError) code = 1;
      else code = 70;
      err.stream.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    }
    process.stdout.write(JSON.stringify({ code, stdout: out.text(), stderr: err.text() }) + '\n');
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`reports.ts: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
