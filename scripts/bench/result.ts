import { INDICATORS } from '@leerroutes/indicators';

export interface Rate { events: number; seconds: number; eventsPerSecond: number; peakRssMiB: number }
export interface BenchResult {
  size: string;
  learners: number;
  cohorts: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string };
  import: Rate & { rows: number; enrolmentRows: number; rowsPerSecond: number };
  append: Rate;
  scan: Rate;
  rebuild: Rate & { ratioToScan: number };
  /** `cohortLoadMs`: reading the cohort from the views into the cache; per indicator its first call from that cache (`coldMs`), then `calls` repeats of the same request (median, p95). */
  reports: { cohort: string; calls: number; learners: number; cohortLoadMs: number; indicators: Record<string, { coldMs: number; medianMs: number; p95Ms: number; rows: number }> };
  asKnownOn: { cohort: string; seconds: number; yearThreeLearners: number; peakRssMiB: number };
  storage: { dbBytes: number; viewsBytes: number; bytesPerMillionEvents: number };
}

/** Shape, not speed: every figure present, finite and positive where it must be. */
export function checkShape(r: BenchResult): string[] {
  const problems: string[] = [];
  const positive = (path: string, v: unknown) => { if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) problems.push(`${path} = ${String(v)}`); };
  for (const k of ['rows', 'enrolmentRows', 'events', 'seconds', 'rowsPerSecond', 'eventsPerSecond', 'peakRssMiB'] as const) positive(`import.${k}`, r.import[k]);
  for (const part of ['append', 'scan', 'rebuild'] as const) for (const k of ['events', 'seconds', 'eventsPerSecond', 'peakRssMiB'] as const) positive(`${part}.${k}`, r[part][k]);
  positive('rebuild.ratioToScan', r.rebuild.ratioToScan);
  if (r.scan.events !== r.import.events || r.rebuild.events !== r.scan.events || r.append.events !== r.scan.events) {
    problems.push(`event counts differ: import ${r.import.events}, append ${r.append.events}, scan ${r.scan.events}, rebuild ${r.rebuild.events}`);
  }
  positive('reports.learners', r.reports.learners);
  positive('reports.cohortLoadMs', r.reports.cohortLoadMs);
  for (const indicator of INDICATORS) {
    const x = r.reports.indicators[indicator];
    if (!x) { problems.push(`reports.${indicator} missing`); continue; }
    positive(`reports.${indicator}.coldMs`, x.coldMs);
    positive(`reports.${indicator}.p95Ms`, x.p95Ms);
    positive(`reports.${indicator}.medianMs`, x.medianMs);
  }
  positive('asKnownOn.seconds', r.asKnownOn.seconds);
  positive('storage.bytesPerMillionEvents', r.storage.bytesPerMillionEvents);
  return problems;
}

const n = (v: number, digits = 0) => v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function toMarkdown(r: BenchResult): string {
  const lines = [
    `Benchmark \`${r.size}\`: ${n(r.learners)} learners, cohorts ${r.cohorts}; ${r.machine.cpus} cores (${r.machine.cpuModel}), ${r.machine.memoryGiB} GiB, Node ${r.machine.node}`,
    '',
    '| step | volume | seconds | rate | peak RSS |',
    '|---|---|---|---|---|',
    `| CSV import | ${n(r.import.rows)} rows (${n(r.import.enrolmentRows)} enrolment rows) -> ${n(r.import.events)} events | ${n(r.import.seconds, 1)} | ${n(r.import.rowsPerSecond)} rows/s, ${n(r.import.eventsPerSecond)} events/s | ${n(r.import.peakRssMiB)} MiB |`,
    `| raw append | ${n(r.append.events)} events | ${n(r.append.seconds, 1)} | ${n(r.append.eventsPerSecond)} events/s | ${n(r.append.peakRssMiB)} MiB |`,
    `| scan + parse (floor) | ${n(r.scan.events)} events | ${n(r.scan.seconds, 1)} | ${n(r.scan.eventsPerSecond)} events/s | ${n(r.scan.peakRssMiB)} MiB |`,
    `| full rebuild, all projections | ${n(r.rebuild.events)} events | ${n(r.rebuild.seconds, 1)} | ${n(r.rebuild.eventsPerSecond)} events/s (${n(r.rebuild.ratioToScan, 2)}x the floor) | ${n(r.rebuild.peakRssMiB)} MiB |`,
    `| as-known-on replay, advice cohort ${r.asKnownOn.cohort} | ${n(r.asKnownOn.yearThreeLearners)} learners with a year-3 position | ${n(r.asKnownOn.seconds, 2)} | | ${n(r.asKnownOn.peakRssMiB)} MiB |`,
    `| storage | event log ${n(r.storage.dbBytes / 2 ** 20, 1)} MiB, views ${n(r.storage.viewsBytes / 2 ** 20, 1)} MiB | | ${n(r.storage.bytesPerMillionEvents / 2 ** 20, 1)} MiB per million events | |`,
    '',
    `Report latency from the views (advice cohort ${r.reports.cohort}, ${n(r.reports.learners)} learners, rules monitor, by parental_education). ` +
      `Reading the cohort, reference data and covered dates into the engine's per-checkpoint cache: ${n(r.reports.cohortLoadMs)} ms (once per checkpoint, shared by every indicator). ` +
      `Cold: each indicator's first call, computed from that cache; warm: ${r.reports.calls} more calls of the same request (remembered per checkpoint).`,
    '',
    '| indicator | cold ms | warm median ms | warm p95 ms | rows |',
    '|---|---|---|---|---|',
    ...Object.entries(r.reports.indicators).map(([k, v]) => `| ${k} | ${n(v.coldMs, 1)} | ${n(v.medianMs, 2)} | ${n(v.p95Ms, 2)} | ${v.rows} |`),
  ];
  return lines.join('\n');
}
