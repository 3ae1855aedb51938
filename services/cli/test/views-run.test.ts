import { describe, expect, it } from 'vitest';
import { describeViewsRun } from '../src/views-run.js';

describe('describeViewsRun', () => {
  it('says what a catch-up applied, and nothing of threads where none folded', () => {
    const line = describeViewsRun({ events: 3098, rebuilt: [], head: 1910174, published: 'gen-000004.duckdb' });
    expect(line).toBe('position 1910174: 3098 events applied');
  });

  it('names the projections rebuilt and who folded the log\'s spans', () => {
    const line = describeViewsRun({ events: 1910174, rebuilt: ['reference-data', 'statistics'], head: 1910174, published: 'gen-000001.duckdb', spans: { workers: 76, local: 30 } });
    expect(line).toContain('(rebuilt: reference-data, statistics)');
    expect(line).toContain('76 by the worker thread and 30 by this one');
  });
});
