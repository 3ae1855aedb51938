/**
 * A small pool of report workers (report-worker.ts). Each task goes to the
 * worker with the fewest tasks in flight. Request errors come back as
 * ServiceError with their code, so the HTTP layer maps them as before.
 */
import { Worker } from 'node:worker_threads';
import type { Report, ReportRequest } from '@leerroutes/indicators';
import { ServiceError, type CellRef } from './service.js';

export type PoolTask = { kind: 'report'; request: ReportRequest } | { kind: 'explain'; request: ReportRequest; cell: CellRef };
export type PoolReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: { message: string; code: string | null; stack: string | null } };

interface Slot { worker: Worker; inFlight: number }

export class ReportPool {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; slot: Slot }>();
  private constructor(private readonly slots: Slot[]) {
    for (const slot of slots) {
      slot.worker.on('message', (reply: PoolReply) => this.settle(reply));
      slot.worker.on('error', (err) => this.failAll(slot, err));
      slot.worker.on('exit', (code) => { if (code !== 0) this.failAll(slot, new Error(`report worker exited with ${code}`)); });
    }
  }

  /** Starts `size` workers on the same files as the engine; rejects if one cannot open them. */
  static async start(options: { db: string; views: string; size: number }): Promise<ReportPool> {
    const url = new URL('./report-worker-entry.mjs', import.meta.url);
    const slots = await Promise.all(Array.from({ length: options.size }, async (): Promise<Slot> => {
      const worker = new Worker(url, { workerData: { db: options.db, views: options.views } });
      await new Promise<void>((resolve, reject) => {
        const onMessage = (m: unknown) => { if (m === 'ready') { worker.off('error', reject); worker.off('message', onMessage); resolve(); } };
        worker.on('message', onMessage);
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`report worker exited with ${code} while starting`)));
      });
      return { worker, inFlight: 0 };
    }));
    return new ReportPool(slots);
  }

  get size(): number { return this.slots.length; }

  report(request: ReportRequest): Promise<Report> { return this.run({ kind: 'report', request }) as Promise<Report>; }
  explainCell(request: ReportRequest, cell: CellRef): Promise<{ learnerIds: string[] }> { return this.run({ kind: 'explain', request, cell }) as Promise<{ learnerIds: string[] }>; }

  private run(task: PoolTask): Promise<unknown> {
    const slot = this.slots.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
    const id = this.nextId++;
    slot.inFlight++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, slot });
      slot.worker.postMessage({ id, task });
    });
  }

  private settle(reply: PoolReply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    p.slot.inFlight--;
    if (reply.ok) p.resolve(reply.result);
    else if (reply.error.code === 'bad-request' || reply.error.code === 'not-found') p.reject(new ServiceError(reply.error.code, reply.error.message));
    else p.reject(Object.assign(new Error(reply.error.message), { stack: reply.error.stack ?? undefined }));
  }

  private failAll(slot: Slot, err: Error): void {
    for (const [id, p] of this.pending) if (p.slot === slot) { this.pending.delete(id); p.reject(err); }
    slot.inFlight = 0;
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map(async ({ worker }) => {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage('close');
      const timer = setTimeout(() => void worker.terminate(), 5000);
      await exited;
      clearTimeout(timer);
    }));
  }
}
