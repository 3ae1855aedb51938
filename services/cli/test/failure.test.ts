import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { failureMessage } from '../src/failure.js';

describe('what the CLI says about a failure nothing else caught', () => {
  it('a full disk: what happened and what to do, no stack trace', () => {
    let err: unknown = null;
    try {
      writeFileSync('/dev/full', 'x');
    } catch (e) {
      err = e;
    }
    const text = failureMessage(err);
    expect(text).toMatch(/^error: the disk is full \(ENOSPC/);
    expect(text).toContain('run the same command again');
    expect(text).not.toContain('    at ');
  });

  it('anything else stays an unexpected error with its stack', () => {
    expect(failureMessage(new Error('something else'))).toMatch(/^unexpected error: Error: something else\n\s+at /);
    expect(failureMessage('a string')).toBe('unexpected error: a string');
  });
});
