import { accessLocation, engineService, openAccessStore, startServer } from '@leerroutes/api';
import { loadDashboard } from '@leerroutes/dashboard';
import { failureSummary, openEngine, type ViewsSubscription } from '@leerroutes/engine';
import { defaultPublishThreads } from '@leerroutes/indicators';
import { CommandError, UsageError, existingLog, intFlag, stringFlag, viewsPath, type Command, type CommandContext } from '../command.js';
import { DB_OPTION, VIEWS_OPTION } from '../options.js';
import { reportViewsFailure } from '../engine.js';
import { migrationProgress } from '../migration-progress.js';
import { redactUrl } from '@leerroutes/engine/paths';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** The --db and --views a `keys create` needs to make a key this server reads, as given to it. */
function keyPlace(ctx: CommandContext): string {
  const db = stringFlag(ctx, 'db');
  const views = stringFlag(ctx, 'views');
  return `${db ? ` --db ${redactUrl(db)}` : ''}${views ? ` --views ${views}` : ''}`;
}

export const command: Command = {
  name: 'serve',
  summary: 'HTTP API and web dashboard over the projected views',
  usage: [
    'Usage: pnpm pathways serve [options]',
    '',
    'API keys: `pnpm pathways keys create --role dashboard|analyst|engineer --name NAME`.',
    'OpenAPI document: GET /api/openapi.json.',
  ].join('\n'),
  options: [
    { name: 'port', value: 'N', description: 'port to listen on (default 8080; 0 picks a free one)' },
    { name: 'host', value: 'ADDR', description: 'address to bind (default 127.0.0.1)' },
    { name: 'min-cell', value: 'N', description: 'suppression threshold for aggregate roles (default 10, never below 5)' },
    { name: 'cache-rows', value: 'N', description: 'report rows the answer cache keeps, all answers together (default 1,000,000, about 400 MB); a larger answer is not kept, 0 keeps none' },
    { name: 'workers', value: 'N', description: 'accepted and ignored: reports are SQL over the statistics views and need no worker threads any more' },
    { name: 'no-project', description: 'only read the views: leave keeping them current to `pathways project` workers (several servers on one log and views)' },
    { name: 'open-dashboard', description: 'hand the dashboard page a dashboard-role key made for this run only (loopback addresses only; otherwise sign in with a key from `pathways keys create`)' },
    DB_OPTION, VIEWS_OPTION,
  ],
  maxArgs: 0,
  async run(ctx) {
    const db = existingLog(ctx);
    const port = intFlag(ctx, 'port') ?? 8080;
    if (port < 0 || port > 65535) throw new UsageError('--port must be 0..65535');
    const host = stringFlag(ctx, 'host') ?? '127.0.0.1';
    const minCell = intFlag(ctx, 'min-cell');
    if (minCell !== undefined && minCell < 5) throw new UsageError('--min-cell is never below 5');
    const cacheRows = intFlag(ctx, 'cache-rows');
    if (cacheRows !== undefined && cacheRows < 0) throw new UsageError('--cache-rows is 0 or more');
    const open = ctx.flags['open-dashboard'] === true;
    if (open && !LOOPBACK.has(host)) throw new UsageError('--open-dashboard only on a loopback address: anyone who can reach the page gets the key');

    if (ctx.flags['workers'] !== undefined) ctx.stderr.write('--workers is no longer needed (reports are SQL over the statistics views) and is ignored\n');
    const views = viewsPath(ctx);
    const migration = migrationProgress(ctx);
    const engine = await openEngine({ db, views, viewsLock: { onWait: (m) => ctx.stderr.write(`${m}\n`) }, onMigrate: migration.onMigrate, publishThreads: defaultPublishThreads() }).finally(() => migration.done());
    const keysAt = accessLocation(db, views);
    const access = await openAccessStore(keysAt);
    const active = (await access.listKeys()).filter((k) => k.revokedAt === null).length;
    const dashboard = await loadDashboard();
    const dashboardKey = open ? access.createEphemeralKey('open-dashboard', 'dashboard') : null;
    let ready = false;
    let subscriber: ViewsSubscription | null = null;
    const server = await startServer({
      service: engineService(engine), access, dashboard, dashboardKey, port, host,
      ...(minCell !== undefined ? { minCell } : {}),
      ...(cacheRows !== undefined ? { cacheRows } : {}),
      isReady: () => ready,
      // /ready answers anyone: it says what kind of failure, the server's log says where (paths, hosts).
      viewsTrouble: () => {
        const f = subscriber?.failure();
        if (!f) return null;
        return `keeping the views current failed ${f.failures} time(s) in a row (${failureSummary(f.error)}); trying again in ${Math.max(0, Math.ceil((f.retryAt - Date.now()) / 1000))} s`;
      },
    });
    ctx.stdout.write(`Leerroutes API and dashboard on ${server.url}/ (OpenAPI: ${server.url}/api/openapi.json)\n`);
    // Where the keys are read from: a key made with other --db or --views than these is refused as unknown.
    ctx.stdout.write(`API keys from ${redactUrl(keysAt)}: ${active} active\n`);
    if (!open) ctx.stdout.write(`Sign in to the dashboard with an API key (pnpm pathways keys create --role dashboard --name NAME${keyPlace(ctx)}).\n`);
    if (ctx.flags['no-project'] === true) {
      // A reader only: ready once a worker has published views; readers move to each newer generation by themselves.
      while ((await engine.checkpoint()) === null) await new Promise((r) => setTimeout(r, 200));
    } else {
      // Serve at once (health answers), become ready once the views have caught up with the log. From then on
      // a catch-up session runs whenever the log moves, and readers move to each generation it publishes.
      subscriber = engine.startSubscriber({ onError: reportViewsFailure(ctx, engine) });
      await subscriber.caughtUp();
    }
    ready = true;
    ctx.stdout.write(`ready at position ${await engine.checkpoint()}\n`);

    await new Promise<void>((resolve) => {
      const stop = () => { process.off('SIGINT', stop); process.off('SIGTERM', stop); resolve(); };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    ctx.stdout.write('stopping\n');
    await server.close();
    await access.close();
    await engine.close();
    return 0;
  },
};
