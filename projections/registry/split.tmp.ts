import { openSqliteEventStore } from '@leerroutes/event-store/sqlite';
import { statistics } from '@leerroutes/projection-statistics';
import { learnerHistories } from '@leerroutes/projection-runtime';
import { serialize, deserialize } from 'node:v8';
const store = openSqliteEventStore({ path: '/tmp/rb/bench.sqlite' });
let tRead = 0, tHist = 0, tPrep = 0, tSer = 0, tDeser = 0, bytes = 0;
let t0 = performance.now();
const it = store.readAll({ batchSize: 5000 })[Symbol.asyncIterator]();
for (;;) {
  let t = performance.now();
  const n = await it.next(); tRead += performance.now() - t;
  if (n.done) break;
  const until = n.value[n.value.length - 1]!.position;
  t = performance.now(); await learnerHistories(n.value, { store, until }); tHist += performance.now() - t;
  t = performance.now(); const p = await statistics.prepare!(n.value, { store, until }); tPrep += performance.now() - t;
  t = performance.now(); const s = serialize(p); tSer += performance.now() - t; bytes += s.length;
  t = performance.now(); deserialize(s); tDeser += performance.now() - t;
}
console.log({ total: performance.now() - t0, tRead, tHist, tPrep, tSer, tDeser, bytes });
