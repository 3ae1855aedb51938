// The light subpath: main.ts loads this before any command, and the engine itself only with a command.
import { isDiskFull } from '@leerroutes/engine/failure';

/**
 * What the CLI says about a failure nothing else caught. A full disk is the
 * one an operator can fix and retry: every writer commits in steps (the
 * import per batch, a views session as a whole), so the message says what
 * to do instead of showing a stack trace.
 */
export function failureMessage(err: unknown): string {
  if (isDiskFull(err)) {
    return [
      `error: the disk is full (${(err as Error).message})`,
      'What was committed is kept. Free some space and run the same command again:',
      'an import goes on from where it stopped, and the views are brought up to date.',
    ].join('\n');
  }
  return `unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
}
