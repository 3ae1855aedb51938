import { INDICATORS } from '@leerroutes/indicators';

export interface LatencySummary { requests: number; p50Ms: number; p95Ms: number; maxMs: number }

export interface Beside { threads: number; heavyMs: number; aloneMedianMs: number; besideRequests: number; besideMedianMs: number; besideMaxMs: number }

/** `cpuSeconds`: the step process's CPU over the timed part, every thread together (on PostgreSQL, not the server's). */
export interface Rate { events: number; seconds: number; cpuSeconds: number; eventsPerSecond: number; peakRssMiB: number }
/**
 * A subject timed right after its floor (an import after a raw append, a
 * rebuild after a scan), per event. `cpuRatio` is the same for CPU seconds.
 * `leastRatio` is the ratio the subject's CPU allows at best on this
 * machine's cores (its CPU spread evenly over all of them, against the
 * floor's time): the floors run on one core, so a subject using more than
 * C times its floor's CPU cannot come within its floor's time, however well
 * its threads overlap.
 */
export interface Pair { seconds: number; floorSeconds: number; ratio: number; cpuSeconds: number; floorCpuSeconds: number; cpuRatio: number; leastRatio: number }
export interface BenchResult {
  size: string;
  learners: number;
  cohorts: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string };
  import: Rate & { rows: number; enrolmentRows: number; rowsPerSecond: number };
  append: Rate;
  scan: Rate;
  rebuild: Rate & { ratioToScan: number };
  /**
   * Two scans of the floor at once, each in its own process: how much more
   * work the machine's cores do together than one alone (`capacity`: 2 x a
   * scan's time alone over the mean time of the two at once). The floors run
   * on one core; the import and the rebuild use two, so their ratios to a
   * floor depend on this (a VM's two cores may share one physical core).
   */
  cores: { twoScansSeconds: number[]; capacity: number };
  /** A corrected re-delivery imported after the population, known later: what "as known on" tells apart. */
  correction: { events: number; seconds: number };
  /**
   * `pathways import` of the delivery into a new log with its views, as a
   * user runs it (one process): the import, then the views built, which with
   * nothing published yet is a rebuild (`spans`: who folded the log's spans).
   */
  mainJob: Rate & { importSeconds: number; viewsEvents: number; spans?: { workers: number; local: number } };
  /**
   * Every indicator under each breakdown, live and as known on a date before
   * the correction, each asked once in the bench's report process (the engine keeps
   * nothing between requests, so each is a first ask).
   */
  reports: {
    cohort: string; learners: number; knownOn: string; openMs: number; firstMs: number;
    scopes: Record<string, LatencySummary>;
    slowest: { scope: string; indicator: string; by: string; ms: number }[];
    perIndicator: Record<string, { liveMaxMs: number; asKnownOnMaxMs: number }>;
    /**
     * The same requests kept to the answers of at most so many rows (limits
     * no answer reaches are left out): whether the latency targets hold for
     * tables up to a size is a question the figures above cannot answer.
     */
    bySize: { atMostRows: number; scopes: Record<string, LatencySummary> }[];
    /**
     * A small report (outcome, no breakdown) asked over and over while the
     * slowest live request runs once, with reports published in worker
     * threads as `pathways serve` does and in the calling thread: what the
     * other readers of a server wait meanwhile.
     */
    beside: { heavy: string; small: string; byThreads: Record<'threads' | 'callingThread', Beside> };
  };
  /** The DuckDB peer on the same CSVs, and the engine on the same questions (advice cohort by parental education). */
  peer: { loadSeconds: number; queries: Record<string, { duckdbColdMs: number; duckdbMedianMs: number; engineColdMs: number; engineMedianMs: number; coldRatio: number; medianRatio: number }> };
  storage: { dbBytes: number; viewsBytes: number; bytesPerMillionEvents: number };
  /**
   * `--rounds N`: the import and the rebuild, each timed N times right after
   * its floor (the first pair is the figures above), with the median ratio.
   */
  pairs: { import: Pair[]; rebuild: Pair[]; importMedianRatio: number; rebuildMedianRatio: number; importMedianCpuRatio: number; rebuildMedianCpuRatio: number };
  /** `--backend postgres`: the same deliveries, rebuild and reports with the log, ledger and views in PostgreSQL. */
  postgres?: {
    import: Rate & { rows: number; enrolmentRows: number; rowsPerSecond: number };
    correction: { events: number; seconds: number };
    rebuild: Rate;
    reports: { learners: number; scopes: Record<string, LatencySummary> };
    storage: { logBytes: number; viewsBytes: number };
    /** The same PostgreSQL log with DuckDB views of the bench machine's own (`--views DIR`). */
    localViews: { rebuild: Rate; reports: { learners: number; scopes: Record<string, LatencySummary> }; viewsBytes: number };
  };
}

/** Shape, not speed: every figure present, finite and positive where it must be. */
export function checkShape(r: BenchResult): string[] {
  const problems: string[] = [];
  const positive = (path: string, v: unknown) => { if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) problems.push(`${path} = ${String(v)}`); };
  for (const k of ['rows', 'enrolmentRows', 'events', 'seconds', 'cpuSeconds', 'rowsPerSecond', 'eventsPerSecond', 'peakRssMiB'] as const) positive(`import.${k}`, r.import[k]);
  for (const part of ['append', 'scan', 'rebuild'] as const) for (const k of ['events', 'seconds', 'cpuSeconds', 'eventsPerSecond', 'peakRssMiB'] as const) positive(`${part}.${k}`, r[part][k]);
  positive('rebuild.ratioToScan', r.rebuild.ratioToScan);
  if (r.cores.twoScansSeconds.length !== 2) problems.push(`cores.twoScansSeconds holds ${r.cores.twoScansSeconds.length} times, not 2`);
  for (const [i, v] of r.cores.twoScansSeconds.entries()) positive(`cores.twoScansSeconds[${i}]`, v);
  positive('cores.capacity', r.cores.capacity);
  // The log holds the delivery and its correction; the floors append and scan that same log.
  if (r.scan.events !== r.import.events + r.correction.events || r.rebuild.events !== r.scan.events || r.append.events !== r.scan.events) {
    problems.push(`event counts differ: import ${r.import.events} + correction ${r.correction.events}, append ${r.append.events}, scan ${r.scan.events}, rebuild ${r.rebuild.events}`);
  }
  positive('correction.events', r.correction.events);
  for (const k of ['events', 'seconds', 'cpuSeconds', 'peakRssMiB', 'importSeconds', 'viewsEvents'] as const) positive(`mainJob.${k}`, r.mainJob[k]);
  if (r.mainJob.events !== r.import.events || r.mainJob.viewsEvents !== r.import.events) problems.push(`the main job handled other events: import ${r.mainJob.events}, views ${r.mainJob.viewsEvents}, against ${r.import.events}`);
  if (r.mainJob.importSeconds >= r.mainJob.seconds) problems.push(`the main job's import took ${r.mainJob.importSeconds} of its ${r.mainJob.seconds} s: no time left for its views`);
  positive('reports.learners', r.reports.learners);
  for (const scope of ['live', 'asKnownOn']) {
    const x = r.reports.scopes[scope];
    if (!x) { problems.push(`reports.scopes.${scope} missing`); continue; }
    for (const k of ['requests', 'p50Ms', 'p95Ms', 'maxMs'] as const) positive(`reports.scopes.${scope}.${k}`, x[k]);
  }
  for (const indicator of INDICATORS) if (!r.reports.perIndicator[indicator]) problems.push(`reports.perIndicator.${indicator} missing`);
  if (!Array.isArray(r.reports.bySize) || r.reports.bySize.length === 0) problems.push('reports.bySize holds no limit');
  for (const [i, b] of (r.reports.bySize ?? []).entries()) {
    for (const scope of ['live', 'asKnownOn']) for (const k of ['requests', 'p50Ms', 'p95Ms', 'maxMs'] as const) positive(`reports.bySize[${i}].scopes.${scope}.${k}`, b.scopes[scope]?.[k]);
    if ((b.scopes['live']?.requests ?? 0) > (r.reports.scopes['live']?.requests ?? 0)) problems.push(`reports.bySize[${i}] counts more requests than the whole set`);
  }
  for (const mode of ['threads', 'callingThread'] as const) {
    const b = r.reports.beside?.byThreads[mode];
    if (!b) { problems.push(`reports.beside.byThreads.${mode} missing`); continue; }
    for (const k of ['heavyMs', 'aloneMedianMs', 'besideRequests', 'besideMedianMs', 'besideMaxMs'] as const) positive(`reports.beside.byThreads.${mode}.${k}`, b[k]);
  }
  for (const q of ['advice-position', 'outcome', 'streams']) {
    const x = r.peer.queries[q];
    if (!x) { problems.push(`peer.${q} missing`); continue; }
    for (const k of ['duckdbColdMs', 'engineColdMs', 'coldRatio', 'medianRatio'] as const) positive(`peer.${q}.${k}`, x[k]);
  }
  positive('storage.bytesPerMillionEvents', r.storage.bytesPerMillionEvents);
  if (r.pairs.import.length === 0 || r.pairs.import.length !== r.pairs.rebuild.length) problems.push(`pairs: ${r.pairs.import.length} import and ${r.pairs.rebuild.length} rebuild pairs`);
  for (const part of ['import', 'rebuild'] as const) {
    for (const [i, pair] of r.pairs[part].entries()) for (const k of ['seconds', 'floorSeconds', 'ratio', 'cpuSeconds', 'floorCpuSeconds', 'cpuRatio', 'leastRatio'] as const) positive(`pairs.${part}[${i}].${k}`, pair[k]);
  }
  for (const k of ['importMedianRatio', 'rebuildMedianRatio', 'importMedianCpuRatio', 'rebuildMedianCpuRatio'] as const) positive(`pairs.${k}`, r.pairs[k]);
  if (r.postgres) {
    const p = r.postgres;
    for (const k of ['events', 'seconds', 'cpuSeconds', 'eventsPerSecond', 'peakRssMiB'] as const) { positive(`postgres.import.${k}`, p.import[k]); positive(`postgres.rebuild.${k}`, p.rebuild[k]); }
    // The same deliveries give the same log on both backends.
    if (p.import.events !== r.import.events || p.correction.events !== r.correction.events || p.rebuild.events !== r.rebuild.events) {
      problems.push(`PostgreSQL counted other events: import ${p.import.events} vs ${r.import.events}, correction ${p.correction.events} vs ${r.correction.events}, rebuild ${p.rebuild.events} vs ${r.rebuild.events}`);
    }
    if (p.reports.learners !== r.reports.learners) problems.push(`PostgreSQL reports ${p.reports.learners} learners in the cohort, SQLite ${r.reports.learners}`);
    for (const scope of ['live', 'asKnownOn']) for (const k of ['requests', 'p50Ms', 'p95Ms', 'maxMs'] as const) positive(`postgres.reports.scopes.${scope}.${k}`, p.reports.scopes[scope]?.[k]);
    positive('postgres.storage.logBytes', p.storage.logBytes);
    positive('postgres.storage.viewsBytes', p.storage.viewsBytes);
    for (const k of ['events', 'seconds', 'cpuSeconds', 'eventsPerSecond', 'peakRssMiB'] as const) positive(`postgres.localViews.rebuild.${k}`, p.localViews.rebuild[k]);
    if (p.localViews.rebuild.events !== r.rebuild.events) problems.push(`DuckDB views from the PostgreSQL log folded ${p.localViews.rebuild.events} events, the embedded rebuild ${r.rebuild.events}`);
    if (p.localViews.reports.learners !== r.reports.learners) problems.push(`DuckDB views from the PostgreSQL log report ${p.localViews.reports.learners} learners in the cohort, SQLite ${r.reports.learners}`);
    for (const scope of ['live', 'asKnownOn']) for (const k of ['requests', 'p50Ms', 'p95Ms', 'maxMs'] as const) positive(`postgres.localViews.reports.scopes.${scope}.${k}`, p.localViews.reports.scopes[scope]?.[k]);
  }
  return problems;
}

const n = (v: number, digits = 0) => v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function toMarkdown(r: BenchResult): string {
  const lines = [
    `Benchmark \`${r.size}\`: ${n(r.learners)} learners, cohorts ${r.cohorts}; ${r.machine.cpus} cores (${r.machine.cpuModel}), ${r.machine.memoryGiB} GiB, Node ${r.machine.node}`,
    '',
    '| step | volume | seconds | CPU seconds | rate | peak RSS |',
    '|---|---|---|---|---|---|',
    `| CSV import | ${n(r.import.rows)} rows (${n(r.import.enrolmentRows)} enrolment rows) -> ${n(r.import.events)} events | ${n(r.import.seconds, 1)} | ${n(r.import.cpuSeconds, 1)} | ${n(r.import.rowsPerSecond)} rows/s, ${n(r.import.eventsPerSecond)} events/s (${n(r.pairs.import[0]!.ratio, 2)}x the append floor per event) | ${n(r.import.peakRssMiB)} MiB |`,
    `| raw append | ${n(r.append.events)} events | ${n(r.append.seconds, 1)} | ${n(r.append.cpuSeconds, 1)} | ${n(r.append.eventsPerSecond)} events/s | ${n(r.append.peakRssMiB)} MiB |`,
    `| scan + parse (floor) | ${n(r.scan.events)} events | ${n(r.scan.seconds, 1)} | ${n(r.scan.cpuSeconds, 1)} | ${n(r.scan.eventsPerSecond)} events/s | ${n(r.scan.peakRssMiB)} MiB |`,
    `| full rebuild, all projections | ${n(r.rebuild.events)} events | ${n(r.rebuild.seconds, 1)} | ${n(r.rebuild.cpuSeconds, 1)} | ${n(r.rebuild.eventsPerSecond)} events/s (${n(r.rebuild.ratioToScan, 2)}x the scan floor) | ${n(r.rebuild.peakRssMiB)} MiB |`,
    `| two scans at once (both cores) | 2 x ${n(r.scan.events)} events | ${r.cores.twoScansSeconds.map((x) => n(x, 1)).join(' and ')} | | both cores together scan ${n(r.cores.capacity, 2)}x as fast as one | |`,
    `| corrected re-delivery | ${n(r.correction.events)} events | ${n(r.correction.seconds, 1)} | | | |`,
    `| the main job: \`pathways import\` with its views, into a new log | ${n(r.mainJob.events)} events | ${n(r.mainJob.seconds, 1)} | ${n(r.mainJob.cpuSeconds, 1)} | import ${n(r.mainJob.importSeconds, 1)} s, then views ${n(r.mainJob.seconds - r.mainJob.importSeconds, 1)} s${r.mainJob.spans ? ` (spans folded: ${n(r.mainJob.spans.workers)} by the worker, ${n(r.mainJob.spans.local)} by the writer)` : ''} | ${n(r.mainJob.peakRssMiB)} MiB |`,
    `| storage | event log ${n(r.storage.dbBytes / 2 ** 20, 1)} MiB, views ${n(r.storage.viewsBytes / 2 ** 20, 1)} MiB | | | ${n(r.storage.bytesPerMillionEvents / 2 ** 20, 1)} MiB per million events | |`,
    '',
    `CPU over the floor's CPU, per event (CPU seconds of each step's process, every thread): import ${r.pairs.import.map((p) => `${n(p.cpuRatio, 2)}x`).join(', ')}, median ${n(r.pairs.importMedianCpuRatio, 2)}x; ` +
      `rebuild ${r.pairs.rebuild.map((p) => `${n(p.cpuRatio, 2)}x`).join(', ')}, median ${n(r.pairs.rebuildMedianCpuRatio, 2)}x. ` +
      `The floors run on one core; spread evenly over ${r.machine.cpus} cores, that CPU allows at best ${r.pairs.import.map((p) => `${n(p.leastRatio, 2)}x`).join(', ')} the append floor's time for the import ` +
      `and ${r.pairs.rebuild.map((p) => `${n(p.leastRatio, 2)}x`).join(', ')} the scan floor's for the rebuild.`,
    '',
    ...(r.pairs.import.length > 1 ? [
      `Each ratio again, from ${r.pairs.import.length} pairs run back to back (the subject right after its floor; the first pair is the table's): ` +
        `import over append ${r.pairs.import.map((p) => `${n(p.ratio, 2)}x (${n(p.seconds, 1)} / ${n(p.floorSeconds, 1)} s)`).join(', ')}, median **${n(r.pairs.importMedianRatio, 2)}x**; ` +
        `rebuild over scan ${r.pairs.rebuild.map((p) => `${n(p.ratio, 2)}x (${n(p.seconds, 1)} / ${n(p.floorSeconds, 1)} s)`).join(', ')}, median **${n(r.pairs.rebuildMedianRatio, 2)}x**.`,
      '',
    ] : []),
    `Report latency (advice cohort ${r.reports.cohort}, ${n(r.reports.learners)} learners, rules monitor): every indicator by none, one and two breakdowns, ` +
      `each asked once (nothing is cached between requests), live and as known on ${r.reports.knownOn} (before the correction). Opening the engine ${n(r.reports.openMs)} ms, first report ${n(r.reports.firstMs)} ms.`,
    '',
    '| scope | requests | p50 ms | p95 ms | max ms |',
    '|---|---|---|---|---|',
    ...Object.entries(r.reports.scopes).map(([k, v]) => `| ${k} | ${v.requests} | ${n(v.p50Ms, 1)} | ${n(v.p95Ms, 1)} | ${n(v.maxMs, 1)} |`),
    '',
    `Slowest: ${r.reports.slowest.map((x) => `${x.indicator} by ${x.by} (${x.scope}) ${n(x.ms)} ms`).join('; ')}.`,
    '',
    `The same requests kept to the answers of at most N rows (live; as known on):`,
    '',
    '| answers of at most | requests | p50 ms | p95 ms | max ms |',
    '|---|---|---|---|---|',
    ...r.reports.bySize.map((b) => {
      const both = (k: keyof LatencySummary) => `${n(b.scopes['live']![k], k === 'requests' ? 0 : 1)}; ${n(b.scopes['asKnownOn']![k], k === 'requests' ? 0 : 1)}`;
      return `| ${n(b.atMostRows)} rows | ${both('requests')} | ${both('p50Ms')} | ${both('p95Ms')} | ${both('maxMs')} |`;
    }),
    '',
    '| indicator | live max ms | as-known-on max ms |',
    '|---|---|---|',
    ...Object.entries(r.reports.perIndicator).map(([k, v]) => `| ${k} | ${n(v.liveMaxMs, 1)} | ${n(v.asKnownOnMaxMs, 1)} |`),
    '',
    `Other readers meanwhile: ${r.reports.beside.small} (no breakdown) asked over and over while ${r.reports.beside.heavy.replace(':', ' by ')} (the slowest) is asked once, in one process.`,
    '',
    '| published in | slowest ms | small alone, median ms | small asked meanwhile | their median ms | their max ms |',
    '|---|---|---|---|---|---|',
    ...(['threads', 'callingThread'] as const).map((mode) => {
      const b = r.reports.beside.byThreads[mode];
      return `| ${mode === 'threads' ? `${b.threads} worker threads (\`pathways serve\`)` : 'the calling thread'} | ${n(b.heavyMs)} | ${n(b.aloneMedianMs, 1)} | ${n(b.besideRequests)} | ${n(b.besideMedianMs, 1)} | ${n(b.besideMaxMs, 1)} |`;
    }),
    '',
    `The DuckDB peer (an analyst's SQL straight on the same CSVs, load ${n(r.peer.loadSeconds, 2)} s) against the engine, advice cohort by parental education; ratio = engine / DuckDB (goal: at most 1).`,
    '',
    '| query | DuckDB first ms | engine first ms | ratio | DuckDB median ms | engine median ms | ratio |',
    '|---|---|---|---|---|---|---|',
    ...Object.entries(r.peer.queries).map(([k, v]) => `| ${k} | ${n(v.duckdbColdMs, 1)} | ${n(v.engineColdMs, 1)} | ${n(v.coldRatio, 2)} | ${n(v.duckdbMedianMs, 1)} | ${n(v.engineMedianMs, 1)} | ${n(v.medianRatio, 2)} |`),
  ];
  if (r.postgres) {
    const p = r.postgres;
    const rate = (x: { events: number; seconds: number; eventsPerSecond: number; peakRssMiB: number }) => `${n(x.seconds, 1)} s, ${n(x.eventsPerSecond)} events/s, ${n(x.peakRssMiB)} MiB`;
    const lat = (x: LatencySummary | undefined) => (x ? `${n(x.p50Ms, 1)} / ${n(x.p95Ms, 1)} / ${n(x.maxMs, 1)}` : '-');
    lines.push(
      '',
      'The same run on PostgreSQL (log, ledger and views in one database) beside the embedded default (SQLite log, DuckDB views):',
      '',
      '| step | embedded (SQLite + DuckDB) | PostgreSQL | PostgreSQL log, DuckDB views of the machine\'s own |',
      '|---|---|---|---|',
      `| CSV import (${n(r.import.events)} events) | ${rate(r.import)} | ${rate(p.import)} | (the same log) |`,
      `| corrected re-delivery | ${n(r.correction.seconds, 1)} s | ${n(p.correction.seconds, 1)} s | |`,
      `| full rebuild | ${rate(r.rebuild)} | ${rate(p.rebuild)} | ${rate(p.localViews.rebuild)} |`,
      `| reports live, p50 / p95 / max ms | ${lat(r.reports.scopes['live'])} | ${lat(p.reports.scopes['live'])} | ${lat(p.localViews.reports.scopes['live'])} |`,
      `| reports as known on ${r.reports.knownOn}, p50 / p95 / max ms | ${lat(r.reports.scopes['asKnownOn'])} | ${lat(p.reports.scopes['asKnownOn'])} | ${lat(p.localViews.reports.scopes['asKnownOn'])} |`,
      `| storage: log + ledger, views | ${n(r.storage.dbBytes / 2 ** 20, 1)} MiB, ${n(r.storage.viewsBytes / 2 ** 20, 1)} MiB | ${n(p.storage.logBytes / 2 ** 20, 1)} MiB, ${n(p.storage.viewsBytes / 2 ** 20, 1)} MiB | views ${n(p.localViews.viewsBytes / 2 ** 20, 1)} MiB |`,
    );
  }
  return lines.join('\n');
}
