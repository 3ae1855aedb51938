/**
 * Child process for the memory test: imports an enrollments.csv whose line 3
 * holds a level code of the given size (0 for the small file the big one is
 * compared with), then prints its own peak RSS and what the import reported.
 * Run on its own, the peak RSS is the whole process's, as a user would see it:
 *
 *   node --import tsx packages/import/test/support/import-peak-rss.ts 52428800
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEventStore } from '@leerroutes/event-store/sqlite';
import { importDirectory } from '@leerroutes/import';

const fieldBytes = Number(process.argv[2] ?? '0');
const root = mkdtempSync(join(tmpdir(), 'leerroutes-rss-'));
try {
  const dir = join(root, 'delivery');
  mkdirSync(dir);
  const path = join(dir, 'enrollments.csv');
  const fd = openSync(path, 'w');
  writeSync(fd, 'learner_id,school_year,reference_date,sector,institution,branch,level,grade,programme,track\n');
  writeSync(fd, 'A1,2016-2017,2016-10-01,vo,10AA,,havo,1,,\n');
  // Written a mebibyte at a time so that building the file costs this process next to nothing.
  writeSync(fd, 'A2,2016-2017,2016-10-01,vo,10AA,,');
  const piece = Buffer.alloc(1 << 20, 'x');
  for (let left = fieldBytes; left > 0; left -= piece.length) writeSync(fd, left >= piece.length ? piece : piece.subarray(0, left));
  writeSync(fd, ',1,,\n');
  writeSync(fd, 'A3,2016-2017,2016-10-01,vo,10AA,,vwo,1,,\n');
  closeSync(fd);
  const log = join(root, 'log.sqlite');
  const store = openSqliteEventStore({ path: log });
  const summary = await importDirectory({ dir, store, ledgerPath: log, rejectsFile: join(root, 'rejects.csv') });
  await store.close();
  process.stdout.write(JSON.stringify({
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    fileBytes: statSync(path).size,
    rows: summary.files[0]?.rows, accepted: summary.files[0]?.accepted, rejected: summary.rejected,
    rejectsByReason: summary.rejectsByReason,
    rejectsFileBytes: summary.rejectsFile ? statSync(summary.rejectsFile).size : 0,
  }) + '\n');
} finally {
  rmSync(root, { recursive: true, force: true });
}
