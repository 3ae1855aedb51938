/**
 * Named points where fault injection (scripts/faults.ts) kills the process:
 * started with LEERROUTES_FAILPOINT=<name>, the process sends itself SIGKILL
 * on reaching that point. A kill at a random moment seldom lands in the
 * short windows between two stores (the views and the log), and those are
 * where a rerun must cope with half a job: CI's random kills once found such
 * a window in erasure by luck.
 */
export type Failpoint =
  /** The views have forgotten the learner and are published; the log still holds the stream. */
  | 'erase:views-forgotten'
  /** The log and ledger have dropped the learner; the views have not caught up with the audit record. */
  | 'erase:log-erased'
  /** An import has finished in the log and ledger; the views have not caught up with it. */
  | 'import:finished';

export const FAILPOINTS: readonly Failpoint[] = ['erase:views-forgotten', 'erase:log-erased', 'import:finished'];

export function failpoint(name: Failpoint): void {
  if (process.env['LEERROUTES_FAILPOINT'] === name) process.kill(process.pid, 'SIGKILL');
}
