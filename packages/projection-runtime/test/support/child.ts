/** Another process on the same views (views-child.ts), driven line by line. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./views-child.ts', import.meta.url));

export interface Child {
  readonly process: ChildProcessWithoutNullStreams;
  /** The next JSON line the child prints. */
  next(): Promise<Record<string, unknown>>;
  send(line: string): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startChild(dir: string, mode: 'read' | 'write' | 'rebuild'): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, mode], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  const waiting: ((line: Record<string, unknown>) => void)[] = [];
  let pending = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const parts = pending.split('\n');
    pending = parts.pop()!;
    for (const part of parts) {
      const line = JSON.parse(part) as Record<string, unknown>;
      const w = waiting.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    process: child,
    exited,
    send: (line) => child.stdin.write(`${line}\n`),
    next: () => {
      const line = lines.shift();
      if (line) return Promise.resolve(line);
      return new Promise((resolve, reject) => {
        waiting.push(resolve);
        void exited.then(({ code, signal }) => reject(new Error(`child exited (${code ?? signal}) before answering: ${stderr}`)));
      });
    },
  };
}
