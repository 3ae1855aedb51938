import type { Engine } from '@leerroutes/engine';

type ViewsRun = Awaited<ReturnType<Engine['catchUp']>>;

/**
 * What a session on the views did, as the CLI says it after a catch-up, an
 * import and each publish of a `project` worker: one wording in one place.
 * Who folded the log is named where threads did, since a first import or a
 * catch-up from nothing runs as a rebuild and takes both cores.
 */
export function describeViewsRun(run: ViewsRun): string {
  const rebuilt = run.rebuilt.length > 0 ? ` (rebuilt: ${run.rebuilt.join(', ')})` : '';
  const spans = run.spans ? `; the log folded in spans, ${run.spans.workers} by the worker thread and ${run.spans.local} by this one` : '';
  return `position ${run.head}: ${run.events} events applied${rebuilt}${spans}`;
}
