/** What an import did, for the user and for the ledger. */
export interface FileSummary {
  readonly file: string;
  rows: number;
  accepted: number;
  rejected: number;
  inserted: number;
  changed: number;
  unchanged: number;
  /** Identical repeats of a row within the same delivery, counted once. */
  repeated: number;
}

export interface ImportSummary {
  readonly delivery: number;
  readonly dir: string;
  /** An interrupted delivery taken up again: its counts cover the whole delivery. */
  readonly resumed: boolean;
  /** The same files as the latest delivery (`delivery`): nothing was read or appended. */
  readonly alreadyImported: boolean;
  /** When the source delivered the facts (every event of the delivery carries it). */
  readonly knownAt: string;
  readonly files: FileSummary[];
  readonly missingFiles: string[];
  readonly rejected: number;
  readonly rejectsByReason: Readonly<Record<string, number>>;
  readonly rejectsFile: string | null;
  /** Enrolments of earlier deliveries that a new complete count no longer holds. */
  readonly droppedEnrolments: number;
  readonly newlyCoveredReferenceDates: string[];
  readonly learnersRederived: number;
  readonly eventsAppended: number;
  readonly eventsByType: Readonly<Record<string, number>>;
  /** Events retracted by corrections (each Retracted event names one or more). */
  readonly eventsRetracted: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  readonly eventsPerSecond: number;
}

export function formatSummary(s: ImportSummary): string {
  if (s.alreadyImported) return `${s.dir}: the same files as delivery ${s.delivery} (known at ${s.knownAt}), already imported; nothing to add`;
  const lines = [`Import of ${s.dir} (delivery ${s.delivery}${s.resumed ? ', resumed after an interruption' : ''}) in ${s.seconds.toFixed(1)} s, known at ${s.knownAt}`];
  for (const f of s.files) {
    lines.push(`  ${f.file.padEnd(17)} ${String(f.rows).padStart(10)} rows: ${f.accepted} accepted (${f.inserted} new, ${f.changed} changed, ${f.unchanged} unchanged${f.repeated ? `, ${f.repeated} repeated` : ''}), ${f.rejected} rejected`);
  }
  if (s.missingFiles.length) lines.push(`  not delivered: ${s.missingFiles.join(', ')}`);
  if (s.rejected > 0) {
    lines.push(`  rejected rows: ${s.rejected} (${Object.entries(s.rejectsByReason).map(([k, v]) => `${k}: ${v}`).join(', ')})`);
    lines.push(`  rejects written to ${s.rejectsFile}`);
  }
  if (s.newlyCoveredReferenceDates.length) lines.push(`  newly covered reference dates: ${s.newlyCoveredReferenceDates.join(', ')}`);
  if (s.droppedEnrolments) lines.push(`  enrolments no longer in a re-delivered count: ${s.droppedEnrolments}`);
  lines.push(`  learners re-derived: ${s.learnersRederived}`);
  lines.push(`  events appended: ${s.eventsAppended}${s.eventsRetracted ? ` (retracting ${s.eventsRetracted} earlier events)` : ''}`);
  for (const [t, n] of Object.entries(s.eventsByType).sort()) lines.push(`    ${t.padEnd(22)} ${n}`);
  lines.push(`  rate: ${Math.round(s.rowsPerSecond)} rows/s, ${Math.round(s.eventsPerSecond)} events/s`);
  return lines.join('\n');
}
