import { openEngine } from '@leerroutes/engine';
const [db, views, bs] = process.argv.slice(2);
const engine = await openEngine({ db: db!, views: views! });
const t0 = performance.now(); const c0 = process.cpuUsage();
const r = await engine.rebuild({ worker: true, ...(bs ? { batchSize: Number(bs) } : {}) });
const c = process.cpuUsage(c0);
console.log(JSON.stringify({ bs, s: ((performance.now() - t0) / 1000).toFixed(1), cpu: ((c.user + c.system) / 1e6).toFixed(1), rss: Math.round(process.resourceUsage().maxRSS / 1024) }));
await engine.close();
