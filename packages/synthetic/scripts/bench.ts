/**
 * Generation speed in this process: pnpm tsx packages/synthetic/scripts/bench.ts [learners] [out]
 * (For whole-process wall time and peak RSS use /usr/bin/time -v on `pnpm pathways generate`.)
 */
import { generatePopulation } from '../src/index.js';

const learners = Number(process.argv[2] ?? 50_000);
const out = process.argv[3] ?? '/tmp/leerroutes-synthetic-bench';
const cpu0 = process.cpuUsage();
const s = await generatePopulation({ out, learners, cohorts: '2012-2016', seed: 'bench' });
const enrol = s.rows['enrollments.csv']!;
const all = Object.values(s.rows).reduce((a, b) => a + b, 0);
const cpu = process.cpuUsage(cpu0);
console.log(`cpu ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s (${Math.round(s.rows["enrollments.csv"]! / ((cpu.user + cpu.system) / 1e6))} enrollment rows per cpu-second)`);
console.log(`${learners} learners: ${enrol} enrollment rows, ${all} rows in ${(s.elapsedMs / 1000).toFixed(2)} s -> ${Math.round(enrol / (s.elapsedMs / 1000))} enrollment rows/s, ${Math.round(all / (s.elapsedMs / 1000))} rows/s; peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
