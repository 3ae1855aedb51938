import { openDuckDbViews } from '@leerroutes/projection-runtime';
import { statisticsCountTable as countTable, scopeOf, publish, type ReportRequest } from '@leerroutes/indicators';
const [views, spec, n] = process.argv.slice(2);
const [indicator, dims] = spec!.includes(':') ? [spec!.slice(0, spec!.indexOf(':')), spec!.slice(spec!.indexOf(':') + 1)] : [spec, undefined];
const request = { indicator, cohortType: 'advice', cohort: '2013-2014', rules: 'monitor', by: dims ? dims.split(',') : [] } as ReportRequest;
const v = await openDuckDbViews(views!);
await v.reader.snapshot(async (db) => {
  const table = await countTable(request, scopeOf(request, db));
  const related = request.indicator === 'transitions' ? await countTable({ ...request, indicator: 'distribution' }, scopeOf(request, db)) : [];
  for (let i = 0; i < Number(n); i++) {
    const t = performance.now();
    const rows = await publish(request, table, { related: async () => related });
    console.log(i, (performance.now() - t).toFixed(1), rows.length);
  }
});
await v.close();
