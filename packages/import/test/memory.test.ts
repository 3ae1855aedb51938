/**
 * A 50 MB field used to cost 734 MB of peak memory and a 100 MB rejects file.
 * Each import runs in a child process of its own so that its peak RSS is the
 * whole process's, and is compared with the same import of a small file.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./support/import-peak-rss.ts', import.meta.url));
const repo = fileURLToPath(new URL('../../..', import.meta.url));

interface Peak { maxRssBytes: number; fileBytes: number; rows: number; accepted: number; rejected: number; rejectsByReason: Record<string, number>; rejectsFileBytes: number }

function importInChild(fieldBytes: number): Peak {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, String(fieldBytes)], { cwd: repo, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`child failed (${r.status ?? r.signal}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Peak;
}

const MiB = 1024 * 1024;

describe('memory', () => {
  it('stays bounded for a 50 MB field, which is rejected with a small trace in the rejects file', () => {
    const floor = importInChild(0);
    const big = importInChild(50 * MiB);
    expect(big.fileBytes).toBeGreaterThan(50 * MiB);
    // Generous for a noisy machine: measured were about 100 MB for the small file and 136 MB for this one.
    expect(big.maxRssBytes).toBeLessThan(floor.maxRssBytes + 256 * MiB);
    expect(big.maxRssBytes).toBeLessThan(1024 * MiB);
    expect(big.rejectsFileBytes).toBeLessThan(1024);
    expect({ rows: big.rows, accepted: big.accepted, rejectsByReason: big.rejectsByReason }).toEqual({ rows: 3, accepted: 2, rejectsByReason: { 'record-too-large': 1 } });
  });
});
