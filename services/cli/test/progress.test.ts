import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../src/command.js';
import { createProgress } from '../src/progress.js';

/** A context whose stderr is a pipe (no TTY): progress is written as lines. */
function piped(flags: Record<string, boolean> = {}): { ctx: CommandContext; text: () => string } {
  const stderr = new PassThrough();
  const chunks: string[] = [];
  stderr.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { ctx: { args: [], flags, env: {}, stdout: new PassThrough(), stderr }, text: () => chunks.join('') };
}

describe('progress on a pipe', () => {
  it("names each step's own unit, and the command's where a step gives none", () => {
    const { ctx, text } = piped();
    const p = createProgress(ctx, 'learners');
    p.update(10_071, 10_071, 'reading enrollments.csv', 'KiB');
    p.update(20_000, 20_000, 'deriving events');
    p.update(347_818, 347_818, 'projections rebuild', 'events');
    p.stop();
    expect(text().split('\n').filter((l) => l !== '')).toEqual([
      'reading enrollments.csv: 10071/10071 KiB (100%)',
      'deriving events: 20000/20000 learners (100%)',
      'projections rebuild: 347818/347818 events (100%)',
    ]);
  });

  it('writes nothing with --quiet', () => {
    const { ctx, text } = piped({ quiet: true });
    createProgress(ctx, 'events').update(1, 2, 'rebuild', 'events');
    expect(text()).toBe('');
  });
});
