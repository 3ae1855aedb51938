import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const created: string[] = [];

export function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `synthetic-${name}-`));
  created.push(dir);
  return dir;
}

/** For afterAll: the generated populations are large and of no use after the test. */
export function removeTempDirs(): void {
  for (const d of created.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A tiny CSV reader: quoted fields only occur in names (areas, institutions). */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        v += line.slice(i, q);
        i = q + 1;
        if (line[i] === '"') { v += '"'; i++; } else break;
      }
      out.push(v);
      if (line[i] !== ',') return out;
      i++;
    } else {
      const c = line.indexOf(',', i);
      if (c < 0) { out.push(line.slice(i)); return out; }
      out.push(line.slice(i, c));
      i = c + 1;
    }
  }
}

export interface Csv {
  readonly header: string[];
  /** Data rows as records by column name, with their line number (header = line 1). */
  readonly rows: { line: number; values: Record<string, string> }[];
}

export function readCsv(path: string): Csv {
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const header = parseCsvLine(lines[0]!);
  const rows = lines.slice(1).map((l, i) => {
    const f = parseCsvLine(l);
    const values: Record<string, string> = {};
    header.forEach((h, k) => { values[h] = f[k]!; });
    return { line: i + 2, values };
  });
  return { header, rows };
}

export const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

export function hashes(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((f) => [f, sha256(join(dir, f))]));
}

export function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    const list = m.get(k);
    if (list) list.push(t);
    else m.set(k, [t]);
  }
  return m;
}
