import { describe, expect, it } from 'vitest';
import { reportViewsFailure, viewsFailure } from '../src/engine.js';
import type { CommandContext } from '../src/command.js';

const diskFull = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

describe('what serve and project say when a catch-up session fails', () => {
  it('with views published: they stay readable', () => {
    const text = viewsFailure(diskFull, 2000, true);
    expect(text).toContain('The disk is full: free some space.');
    expect(text).toContain('Trying again in 2 s');
    expect(text).toContain('the views published before stay readable');
  });

  it('before anything is published: readers wait, nothing is promised to stay readable', () => {
    const text = viewsFailure(new Error('boom'), 1000, false);
    expect(text).not.toContain('The disk is full');
    expect(text).not.toContain('stay readable');
    expect(text).toContain('no views are published yet');
  });

  it('asks the engine which case it is, and a failing question counts as nothing published', async () => {
    const lines: string[] = [];
    const ctx = { stderr: { write: (s: string) => lines.push(s) } } as unknown as CommandContext;
    const said = (n: number) => new Promise<void>((resolve) => { const t = setInterval(() => { if (lines.length >= n) { clearInterval(t); resolve(); } }, 1); });
    reportViewsFailure(ctx, { checkpoint: async () => 42 })(new Error('a'), 1000);
    await said(1);
    reportViewsFailure(ctx, { checkpoint: async () => null })(new Error('b'), 1000);
    await said(2);
    reportViewsFailure(ctx, { checkpoint: async () => { throw new Error('views unreadable'); } })(new Error('c'), 1000);
    await said(3);
    expect(lines[0]).toContain('failed: a.');
    expect(lines[0]).toContain('stay readable');
    expect(lines[1]).toContain('failed: b.');
    expect(lines[1]).toContain('no views are published yet');
    expect(lines[2]).toContain('failed: c.');
    expect(lines[2]).toContain('no views are published yet');
    expect(lines.every((l) => l.endsWith('\n'))).toBe(true);
  });
});
