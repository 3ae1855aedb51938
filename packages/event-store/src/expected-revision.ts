import type { ExpectedRevision, StreamRevision } from './port.js';

/** Whether a stream at `current` satisfies what the appender expected (the port's rule, shared by the adapters that check it themselves). */
export function matchesExpectedRevision(expected: ExpectedRevision, current: StreamRevision | 'no_stream'): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return current === 'no_stream';
  if (expected === 'stream_exists') return current !== 'no_stream';
  return current === expected;
}
