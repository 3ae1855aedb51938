/**
 * The HTTP API: indicators as long-format JSON or CSV for every role,
 * learner-level reads (audited) for analysts, operations for engineers.
 */
import { createReadStream, fstatSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Hono, type Context } from 'hono';
import { compress } from 'hono/compress';
import { z } from 'zod';
import { MEDIA_TYPES, type ExportFormat, type ExportSummary, type LearnerExportKind, type LearnerExportRequest } from '@leerroutes/engine/exports';
import { failureKind, failureSummary, type FailureKind } from '@leerroutes/engine/failure';
import { DIMENSIONS, INDICATORS, formatReport, parsePeriodRequest, parseReportRequest, type Report, type ReportRequest } from '@leerroutes/indicators';
import { DEFAULT_MIN_CELL, looksLikeBsn } from '@leerroutes/domain';
import { roleAtLeast, type AccessStore, type ApiKey, type Role } from './access/index.js';
import { ComputeCache } from './compute-cache.js';
import { csvStream, jsonStream, STREAM_ROWS } from './answer-stream.js';
import { etagOf, negotiate, notModified, RouteTable, type Env } from './http.js';
import { openApiDocument } from './openapi.js';
import { ProblemError } from './problem.js';
import { disclosureChecked, sideBySide, unprotectedChecked } from './report-view.js';
import * as S from './schemas.js';
import { requestErrorCode, type CohortList, type ReferenceLabels, type ReportService } from './service.js';


/** The answer to each failure an operator acts on (engine/failure.ts tells them apart). */
const FAILURE_PROBLEMS: Record<FailureKind, { status: number; detail: string }> = {
  'disk-full': { status: 507, detail: 'What was committed is kept. Send the request again once there is space on the server (an import goes on from where it stopped).' },
  'log-damaged': { status: 503, detail: "The server's event log reports damage; the server's log says where. An operator restores the log from a copy." },
  'views-damaged': { status: 503, detail: "The server's views cannot be read. Nothing is lost: they are made from the log, and an engineer rebuilds them (POST /api/admin/rebuild, or pathways rebuild)." },
  'views-mismatch': { status: 503, detail: "The server's views were made from another state of its event log (the log was restored from a copy, or is another log), so their figures may not be the log's. An engineer rebuilds them (POST /api/admin/rebuild, or pathways rebuild)." },
};
export interface StaticAsset { readonly body: string | Uint8Array; readonly type: string; readonly etag: string }
export interface DashboardAssets {
  /** The page; `dashboardKey` is handed to it when the server was started with --open-dashboard. */
  index(options: { dashboardKey: string | null }): string;
  asset(path: string): StaticAsset | undefined;
}

export interface AppOptions {
  readonly service: ReportService;
  readonly access: AccessStore;
  /** Server-wide suppression threshold; the dashboard role can raise it per request, never lower it. */
  readonly minCell?: number;
  readonly dashboard?: DashboardAssets;
  /** A dashboard-role key handed to the page (local use only). */
  readonly dashboardKey?: string | null;
  /** Readiness beyond "answers": false while the engine is still catching up. */
  readonly isReady?: () => boolean;
  /** What keeps the views from being current, if anything (a failed catch-up being tried again); /ready says it, ready or not. */
  readonly viewsTrouble?: () => string | null;
  readonly maxAgeSeconds?: number;
  readonly version?: string;
  /** Report rows the answer cache keeps, all answers together (default DEFAULT_CACHE_ROWS). */
  readonly cacheRows?: number;
}

const IndicatorParams = z.strictObject({ indicator: S.IndicatorNameSchema });

function parseGroup(text: string | undefined): Record<string, string> {
  if (!text) return {};
  const out: Record<string, string> = {};
  for (const pair of text.split(';')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ProblemError('validation', 400, `group: '${pair}' is not dimension=value`, [{ location: 'query', pointer: '#/group', detail: 'dimension=value pairs joined by ;' }]);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** An export's request from the query: events take asKnownOn only; person-period and spells the period parameters (the shared parser's words). */
function learnerExportRequest(what: LearnerExportKind, q: Omit<S.ExportQuery, 'format'>): LearnerExportRequest {
  if (what === 'events') {
    const refused = Object.keys(q).filter((k) => k !== 'asKnownOn' && q[k as keyof typeof q] !== undefined);
    if (refused.length > 0) {
      throw new ProblemError('validation', 400, `events take asKnownOn only, not ${refused.join(', ')}`, refused.map((k) => ({ location: 'query' as const, pointer: `#/${k}`, detail: 'not a parameter of the events export' })));
    }
    return { kind: 'events', ...(q.asKnownOn !== undefined ? { asKnownOn: q.asKnownOn } : {}) };
  }
  const parsed = parsePeriodRequest(q);
  if (parsed._tag === 'Left') {
    throw new ProblemError('validation', 400, parsed.left.join('; '), parsed.left.map((issue) => ({ location: 'query' as const, pointer: `#/${issue.field ?? ''}`, detail: issue.message })));
  }
  return { kind: what, period: parsed.right };
}

/**
 * Write an export into a directory of its own and answer with the file,
 * streamed. The directory is removed before the answer starts: the open
 * file is read until it is sent (or the client goes away), and nothing is
 * left on disk whatever happens to the response.
 */
async function sendFile(c: Context, name: string, format: ExportFormat, write: (out: string) => Promise<ExportSummary>): Promise<Response> {
  const dir = mkdtempSync(join(tmpdir(), 'leerroutes-export-'));
  const out = join(dir, name);
  let summary: ExportSummary;
  let fd: number;
  try {
    summary = await write(out);
    fd = openSync(out, 'r');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const size = fstatSync(fd).size;
  const file = createReadStream('', { fd });
  c.header('Cache-Control', 'no-store');
  c.header('Content-Disposition', `attachment; filename="${name}"`);
  c.header('Content-Length', String(size));
  c.header('X-Export-Rows', String(summary.rows));
  c.header('X-Log-Position', String(summary.position));
  return c.body(Readable.toWeb(file) as unknown as ReadableStream, 200, { 'Content-Type': MEDIA_TYPES[format] });
}

/** Why `dir` cannot be imported from, or null when it is a directory on this server. */
function notADirectory(dir: string): string | null {
  try {
    return statSync(dir).isDirectory() ? null : `'${dir}' on the server is not a directory`;
  } catch {
    return `there is no directory '${dir}' on the server`;
  }
}

/**
 * What the answer cache keeps by default: 1,000,000 report rows, about 400 MB
 * as objects (about 48 MB per 117,000-row report, measured at 110k learners),
 * so that even the largest national table (760,000 rows) is kept.
 */
export const DEFAULT_CACHE_ROWS = 1_000_000;

/** An answer with rows as JSON: a large one in slices (answer-stream.ts), so that other requests are answered while it is made. */
function jsonAnswer(c: Context<Env>, answer: { readonly rows: readonly unknown[] }): Response {
  if (answer.rows.length < STREAM_ROWS) return c.json(answer);
  return c.body(jsonStream(answer, 'rows'), 200, { 'Content-Type': 'application/json' });
}

/** A report as CSV, a large one in slices as jsonAnswer's. */
function csvAnswer(c: Context<Env>, report: Report): Response {
  const type = { 'Content-Type': 'text/csv; charset=utf-8; header=present' };
  return c.body(report.rows.length < STREAM_ROWS ? formatReport(report, 'csv') : csvStream(report), 200, type);
}

export function createApp(options: AppOptions): { app: Hono<Env>; openapi: object } {
  const { service, access } = options;
  const serverMinCell = Math.max(5, options.minCell ?? DEFAULT_MIN_CELL);
  const maxAge = options.maxAgeSeconds ?? 60;
  const app = new Hono<Env>();
  const table = new RouteTable(app, access);
  /**
   * The one cache: answers keyed by the published state of the views they
   * were read at (a new state is a new key, so nothing is ever stale), so a
   * dashboard reloading costs nothing. Weighed in rows: most reports are
   * some hundreds, the largest hundreds of thousands.
   */
  const answers = new ComputeCache<Report | CohortList | ReferenceLabels>({
    budget: options.cacheRows ?? DEFAULT_CACHE_ROWS,
    weigh: (v) => ('rows' in v && Array.isArray(v.rows) ? v.rows.length : 1),
  });

  app.use('*', compress({ threshold: 2048 }));
  app.use('*', async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
  });

  app.onError((err, c) => {
    let problem: ProblemError;
    if (err instanceof ProblemError) problem = err;
    else {
      const code = requestErrorCode(err);
      if (code === 'bad-request') problem = new ProblemError('bad-request', 400, err.message);
      else if (code === 'not-found') problem = new ProblemError('not-found', 404, err.message);
      else if (code === 'views-not-ready') problem = new ProblemError('not-ready', 503, err.message);
      else {
        // What failed where is the server's business (its log says which file or host); the caller learns the kind and what to do.
        const kind = failureKind(err);
        process.stderr.write(`api: ${c.req.method} ${c.req.path}: ${kind ? `${failureSummary(err)}: ` : ''}${kind === 'disk-full' ? err.message : (err.stack ?? err.message)}\n`);
        problem = kind === null
          ? new ProblemError('internal', 500, 'The server failed to answer; the error is in its log.')
          : new ProblemError(kind, FAILURE_PROBLEMS[kind].status, FAILURE_PROBLEMS[kind].detail);
      }
    }
    if (problem.status === 401) c.header('WWW-Authenticate', 'Bearer realm="leerroutes"');
    c.header('Cache-Control', 'no-store');
    return c.body(JSON.stringify(problem.toProblem(c.req.path)), problem.status as 400, { 'Content-Type': 'application/problem+json' });
  });
  app.notFound((c) => c.body(JSON.stringify(new ProblemError('not-found', 404, `No resource at ${c.req.path}.`).toProblem(c.req.path)), 404, { 'Content-Type': 'application/problem+json' }));

  /** The query as a report request (the shared parser: the CLI refuses the same input with the same words), with the role's limits applied. */
  function reportRequest(indicator: ReportRequest['indicator'], q: Omit<S.ReportQuery, 'format'>, key: ApiKey): ReportRequest {
    const { minCell: asked, unsuppressed: _u, ...params } = q;
    const parsed = parseReportRequest({ indicator, ...params });
    if (parsed._tag === 'Left') {
      throw new ProblemError('validation', 400, parsed.left.join('; '), parsed.left.map((issue) => ({ location: 'query' as const, pointer: `#/${issue.field ?? ''}`, detail: issue.message })));
    }
    const unsuppressed = q.unsuppressed === 'true';
    if (unsuppressed && !roleAtLeast(key.role, 'engineer')) throw new ProblemError('forbidden', 403, 'Unsuppressed statistics need the engineer role.');
    const minCell = asked === undefined ? serverMinCell : key.role === 'dashboard' ? Math.max(serverMinCell, Number(asked)) : Number(asked);
    return { ...parsed.right, ...(unsuppressed ? { unsuppressed: true } : {}), minCell };
  }

  /** Every answer comes from the views: it changes only with their published state. */
  const versionOf = async (): Promise<string> => (await service.version()) ?? 'none';

  async function computeReport(request: ReportRequest, version: string, role: Role): Promise<Report> {
    const report = await answers.get(JSON.stringify(['report', version, request]), version, () => service.report(request)) as Report;
    return request.unsuppressed ? report : unprotectedChecked(disclosureChecked(report, request.minCell ?? serverMinCell), role);
  }

  function cacheHeaders(c: Context, etag: string): void {
    c.header('ETag', etag);
    c.header('Cache-Control', `private, max-age=${maxAge}, must-revalidate`);
    c.header('Vary', 'Accept, Authorization, X-API-Key');
  }

  // --- public
  table.add({ method: 'get', path: '/health', operationId: 'health', summary: 'Liveness: the process answers', tag: 'operations', role: null,
    responses: { 200: { description: 'Alive', schema: 'Health' } } },
  (c) => c.json({ status: 'ok' as const }));

  table.add({ method: 'get', path: '/ready', operationId: 'ready', summary: 'Readiness: the engine is open and its views caught up at startup', tag: 'operations', role: null,
    responses: { 200: { description: 'Ready', schema: 'Ready' }, 503: { description: 'Not ready yet', schema: 'Ready' } } },
  async (c) => {
    c.header('Cache-Control', 'no-store');
    try {
      const [checkpoint, head] = await Promise.all([service.checkpoint(), service.head()]);
      const ready = options.isReady?.() ?? true;
      const trouble = options.viewsTrouble?.() ?? null;
      const detail = trouble ?? (ready ? null : 'catching up');
      return c.json({ ready, checkpoint, head, ...(detail === null ? {} : { detail }) }, ready ? 200 : 503);
    } catch (err) {
      // /ready answers anyone: the kind of failure, not its text (paths, hosts); the text goes to the server's log.
      process.stderr.write(`api: /ready: ${err instanceof Error ? err.message : String(err)}\n`);
      return c.json({ ready: false, checkpoint: null, head: null, detail: failureSummary(err) }, 503);
    }
  });

  // --- dashboard and up
  table.add({ method: 'get', path: '/api/whoami', operationId: 'whoami', summary: "The key's name and role", tag: 'access', role: 'dashboard',
    responses: { 200: { description: 'The caller', schema: 'WhoAmI' } } },
  (c, { key }) => c.json({ name: key.name, role: key.role }));

  table.add({ method: 'get', path: '/api/meta', operationId: 'meta', summary: 'Indicators, dimensions, rule sets, the cohorts and covered school years present in the data, and area and institution names', tag: 'indicators', role: 'dashboard',
    responses: { 200: { description: 'What can be asked', schema: 'Meta' } } },
  async (c) => {
    const version = await versionOf();
    const etag = etagOf(['meta', version, serverMinCell]);
    cacheHeaders(c, etag);
    if (notModified(c, etag)) return c.body(null, 304);
    const checkpoint = (await service.checkpoint()) ?? 0;
    const cohorts = await answers.get(JSON.stringify(['cohorts', version]), version, () => service.cohorts()) as CohortList;
    const reference = await answers.get(JSON.stringify(['reference', version]), version, () => service.reference()) as ReferenceLabels;
    return c.json({ indicators: [...INDICATORS], dimensions: [...DIMENSIONS], ruleSets: [...service.ruleSets()], cohorts, schoolYears: reference.schoolYears, names: reference.names, minCell: serverMinCell, checkpoint });
  });

  table.add({ method: 'get', path: '/api/indicators/{indicator}', operationId: 'indicator', summary: 'One indicator in long format (JSON, or CSV with Accept: text/csv)', tag: 'indicators', role: 'dashboard',
    params: IndicatorParams, query: S.ReportQuerySchema,
    responses: { 200: { description: 'The report', schema: 'Report', csv: true }, 304: { description: 'Not modified since the ETag' }, 406: { description: 'Neither JSON nor CSV acceptable', schema: 'Problem' },
      409: { description: 'dashboard role: coarser tables would give away small hidden cells of this table (unprotected-cells)', schema: 'Problem' } } },
  async (c, { params, query, key }) => {
    const { format: asked, ...rest } = query;
    const request = reportRequest(params.indicator, rest, key);
    const format = negotiate(c, asked);
    const version = await versionOf();
    const etag = etagOf(['report', version, request, format]);
    cacheHeaders(c, etag);
    if (notModified(c, etag)) return c.body(null, 304);
    const report = await computeReport(request, version, key.role);
    if (format === 'csv') {
      c.header('Content-Disposition', `inline; filename="${params.indicator}-${request.cohort ?? 'all'}-${request.rules}.csv"`);
      return csvAnswer(c, report);
    }
    return jsonAnswer(c, report);
  });

  table.add({ method: 'get', path: '/api/compare/{indicator}', operationId: 'compare', summary: 'One indicator under two rule sets, side by side', tag: 'indicators', role: 'dashboard',
    params: IndicatorParams, query: S.CompareQuerySchema,
    responses: { 200: { description: 'Joined rows', schema: 'Compare' }, 304: { description: 'Not modified since the ETag' },
      409: { description: 'dashboard role: coarser tables would give away small hidden cells of either table (unprotected-cells)', schema: 'Problem' } } },
  async (c, { params, query, key }) => {
    const { rulesA, rulesB, ...rest } = query;
    const a = reportRequest(params.indicator, { ...rest, rules: rulesA }, key);
    const b = reportRequest(params.indicator, { ...rest, rules: rulesB }, key);
    const version = await versionOf();
    const etag = etagOf(['compare', version, a, b]);
    cacheHeaders(c, etag);
    if (notModified(c, etag)) return c.body(null, 304);
    const [ra, rb] = await Promise.all([computeReport(a, version, key.role), computeReport(b, version, key.role)]);
    return jsonAnswer(c, sideBySide(ra, rb));
  });

  // --- analyst and up: learner-level, every read audited before it happens
  table.add({ method: 'get', path: '/api/learners/{learnerId}', operationId: 'learner', summary: "One learner's pathway with the events and rules behind each classification (audited)", tag: 'learners', role: 'analyst',
    params: S.LearnerParamsSchema, query: S.LearnerQuerySchema,
    responses: { 200: { description: 'The explained pathway' }, 404: { description: 'Unknown learner', schema: 'Problem' } } },
  async (c, { params, query, key }) => {
    if (looksLikeBsn(params.learnerId)) throw new ProblemError('validation', 400, 'learnerId: a citizen service number is never a learner id', [{ location: 'path', pointer: '#/learnerId', detail: 'BSN-shaped ids are refused' }]);
    await access.audit(key, 'learner', [params.learnerId], { asKnownOn: query.asKnownOn ?? null });
    const learner = await service.learner(params.learnerId, query.asKnownOn ? { asKnownOn: query.asKnownOn } : {});
    c.header('Cache-Control', 'no-store');
    if (!learner) throw new ProblemError('not-found', 404, `No learner '${params.learnerId}'.`);
    return c.json(learner);
  });

  table.add({ method: 'get', path: '/api/explain/{indicator}', operationId: 'explainCell', summary: 'The learner ids behind one cell of a report (audited)', tag: 'learners', role: 'analyst',
    params: IndicatorParams, query: S.ExplainQuerySchema,
    responses: { 200: { description: 'The learners in the cell', schema: 'Explain' } } },
  async (c, { params, query, key }) => {
    const { category, family, offset, schoolYear, group, ...rest } = query;
    const request = reportRequest(params.indicator, rest, key);
    const cell = { group: parseGroup(group), offset: offset ?? null, schoolYear: schoolYear ?? null, category, ...(family !== undefined ? { family } : {}) };
    const { learnerIds } = await service.explainCell(request, cell);
    await access.audit(key, 'explain-cell', learnerIds, { request, cell });
    c.header('Cache-Control', 'no-store');
    return c.json({ cell, learnerIds });
  });

  // --- analyst and up: files for R, Python and DuckDB (the engine's exports, as `pathways export` writes them)
  table.add({ method: 'get', path: '/api/exports/{what}', operationId: 'exportLearnerData', summary: 'Events, person-period or spells as a Parquet or CSV file (learner-level: audited per learner)', tag: 'exports', role: 'analyst',
    params: S.ExportParamsSchema, query: S.ExportQuerySchema,
    responses: { 200: { description: 'The file (X-Export-Rows: its rows; X-Log-Position: the log position it reflects); each learner in it is in the audit log', parquet: true, csv: true } } },
  async (c, { params, query, key }) => {
    const { format, ...rest } = query;
    const request = learnerExportRequest(params.what, rest);
    return sendFile(c, `${params.what}.${format}`, format, async (out) => {
      const summary = await service.exportLearnerData(request, { format, out, listLearners: true });
      // Before the file leaves the server: one audit row per learner in it, as for every learner-level read.
      await access.audit(key, `export-${params.what}`, summary.learnerIds ?? [], { format, ...rest, rows: summary.rows });
      return summary;
    });
  });

  table.add({ method: 'get', path: '/api/exports/report/{indicator}', operationId: 'exportReport', summary: 'One indicator report as a Parquet or CSV file, suppressed as the report is', tag: 'exports', role: 'analyst',
    params: IndicatorParams, query: S.ReportExportQuerySchema,
    responses: { 200: { description: 'The report as a file, the columns of its CSV typed', parquet: true, csv: true } } },
  async (c, { params, query, key }) => {
    const { format, ...rest } = query;
    const request = reportRequest(params.indicator, rest, key);
    const report = await computeReport(request, await versionOf(), key.role);
    return sendFile(c, `${params.indicator}.${format}`, format, (out) => service.writeReport(report, { format, out }));
  });

  // --- engineer
  table.add({ method: 'post', path: '/api/admin/import', operationId: 'import', summary: 'Import a directory of registration CSVs on the server, then catch the views up', tag: 'operations', role: 'engineer',
    body: S.ImportBodySchema, responses: { 200: { description: 'Import summary' }, 400: { description: 'Invalid body, or no such directory on the server', schema: 'Problem' } } },
  async (c, { body, key }) => {
    const missing = notADirectory(body.dir);
    if (missing) throw new ProblemError('validation', 400, `dir: ${missing}`, [{ location: 'body', pointer: '#/dir', detail: missing }]);
    await access.audit(key, 'import', [], body);
    const result = await service.importDirectory(body.dir, body.knownAt ? { knownAt: body.knownAt } : {});
    return c.json({ result: result ?? null, checkpoint: await service.checkpoint() });
  });

  table.add({ method: 'post', path: '/api/admin/rebuild', operationId: 'rebuild', summary: 'Rebuild the projections from the log', tag: 'operations', role: 'engineer',
    responses: { 200: { description: 'Rebuild summary' } } },
  async (c, { key }) => {
    await access.audit(key, 'rebuild', [], undefined);
    const result = await service.rebuild();
    return c.json({ result: result ?? null, checkpoint: await service.checkpoint() });
  });

  table.add({ method: 'get', path: '/api/admin/audit', operationId: 'audit', summary: 'The audit log of learner-level reads and operations, newest first', tag: 'operations', role: 'engineer',
    query: S.AuditQuerySchema, responses: { 200: { description: 'Audit entries', schema: 'Audit' } } },
  async (c, { query }) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ entries: await access.auditEntries(query) });
  });

  const openapi = openApiDocument(table.routes, {
    Report: S.ReportSchema, Compare: S.CompareSchema, Problem: S.ProblemSchema, Meta: S.MetaSchema, WhoAmI: S.WhoAmISchema,
    Health: S.HealthSchema, Ready: S.ReadySchema, Explain: S.ExplainSchema, Audit: S.AuditSchema,
  }, { version: options.version ?? '0.1.0' });
  app.get('/api/openapi.json', (c) => c.json(openapi));

  // --- the dashboard: static files, no key needed to load the page itself
  const dash = options.dashboard;
  if (dash) {
    app.get('/', (c) => {
      c.header('Cache-Control', 'no-cache');
      c.header('Content-Security-Policy', "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'");
      return c.html(dash.index({ dashboardKey: options.dashboardKey ?? null }));
    });
    app.get('/assets/:file', (c) => {
      const asset = dash.asset(c.req.param('file'));
      if (!asset) return c.notFound();
      c.header('ETag', asset.etag);
      c.header('Cache-Control', 'public, max-age=300, must-revalidate');
      if (notModified(c, asset.etag)) return c.body(null, 304);
      return c.body(typeof asset.body === 'string' ? asset.body : new Uint8Array(asset.body), 200, { 'Content-Type': asset.type });
    });
  }

  return { app, openapi };
}
