/**
 * Load test of the indicator endpoints on loopback: a server on a generated
 * population runs in a child process (so the clients do not share its event
 * loop), 50 clients ask a seeded mix of indicators, cohorts, rule sets and
 * breakdowns, bounded by time and by request count. Popularity is skewed
 * (Zipf, s=1) as on a dashboard, where a few default views dominate and a long
 * tail is asked once. Reports throughput and latency percentiles per
 * indicator, split into first asks (computed from the views) and repeats
 * (answered from the server's per-checkpoint cache).
 *
 *   pnpm exec tsx scripts/loadtest.ts [--clients 50] [--duration 30] [--requests 5000] [--learners 5000]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { INDICATORS } from '@leerroutes/indicators';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

async function serve(): Promise<void> {
  const { startDemo } = await import('@leerroutes/api/demo');
  const demo = await startDemo({ learners: arg('learners', 5000), cohorts: '2012-2014', seed: 1, withDashboard: false });
  const meta = await (await fetch(`${demo.server.url}/api/meta`, { headers: { authorization: `Bearer ${demo.keys.dashboard}` } })).json() as { cohorts: { advice: Record<string, string[]> } };
  process.stdout.write(JSON.stringify({ url: demo.server.url, key: demo.keys.dashboard, cohorts: meta.cohorts.advice['monitor'] }) + '\n');
  await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  await demo.close();
}

const percentile = (sorted: readonly number[], p: number): number => sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN;

interface Sample { indicator: string; ms: number; first: boolean; status: number }

async function main(): Promise<void> {
  const clients = arg('clients', 50), durationS = arg('duration', 30), maxRequests = arg('requests', 5000);
  process.stderr.write(`starting a server on ${arg('learners', 5000)} generated learners...\n`);
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--serve', '--learners', String(arg('learners', 5000))], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await once(createInterface({ input: child.stdout! }), 'line') as [string];
  const { url, key, cohorts } = JSON.parse(line) as { url: string; key: string; cohorts: string[] };

  // Every combination, in a seeded order; request i picks combination k with probability ~ 1/(k+1).
  const breakdowns = ['', 'gender', 'parental_education', 'pupil_weight', 'area:1', 'migration_background', 'gender,parental_education'];
  const combos: { indicator: string; path: string }[] = [];
  for (const indicator of INDICATORS) for (const cohort of cohorts) for (const rules of ['monitor', 'inspectie']) for (const by of breakdowns) {
    const q = new URLSearchParams({ cohort, rules, ...(by ? { by } : {}) });
    combos.push({ indicator, path: `/api/indicators/${indicator}?${q}` });
  }
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = combos.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [combos[i], combos[j]] = [combos[j]!, combos[i]!]; }

  const weights = combos.map((_, k) => 1 / (k + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  weights.reduce((acc, w, k) => (cumulative[k] = acc + w / total), 0);
  const pick = () => { const u = rnd(); const k = cumulative.findIndex((c) => c >= u); return combos[k < 0 ? combos.length - 1 : k]!; };
  const seen = new Set<string>();
  async function phase(name: string, choose: () => { indicator: string; path: string }, seconds: number): Promise<{ name: string; samples: Sample[]; elapsed: number }> {
    const samples: Sample[] = [];
    let sent = 0;
    const started = performance.now();
    const deadline = started + seconds * 1000;
    await Promise.all(Array.from({ length: clients }, async () => {
      while (performance.now() < deadline && sent < maxRequests) {
        sent++;
        const combo = choose();
        const first = !seen.has(combo.path);
        seen.add(combo.path);
        const t0 = performance.now();
        const res = await fetch(url + combo.path, { headers: { authorization: `Bearer ${key}` } });
        await res.arrayBuffer();
        samples.push({ indicator: combo.indicator, ms: performance.now() - t0, first, status: res.status });
      }
    }));
    return { name, samples, elapsed: (performance.now() - started) / 1000 };
  }
  process.stderr.write(`${clients} clients, ${combos.length} distinct requests; each phase bounded by ${durationS}s and ${maxRequests} requests\n`);
  // A: from a cold server, the skewed mix: first asks compute, repeats hit the cache.
  const cold = await phase('A. cold start, skewed mix', pick, durationS);
  // B: the same mix restricted to what A already asked: the cached path under full concurrency.
  const warmSet = combos.filter((c) => seen.has(c.path));
  const warm = await phase('B. warm (requests answered from the cache)', () => warmSet[Math.floor(rnd() * warmSet.length)]!, Math.max(5, durationS / 2));
  child.kill('SIGTERM');
  await once(child, 'exit');

  const out: string[] = [];
  let errors = 0;
  for (const { name, samples, elapsed } of [cold, warm]) {
    const row = (label: string, s: readonly Sample[]) => {
      const ms = s.map((x) => x.ms).sort((a, b) => a - b);
      const firsts = s.filter((x) => x.first).map((x) => x.ms).sort((a, b) => a - b);
      const repeats = s.filter((x) => !x.first).map((x) => x.ms).sort((a, b) => a - b);
      const f = (n: number) => (Number.isNaN(n) ? '-' : n.toFixed(1)).padStart(8);
      return `${label.padEnd(18)} ${String(s.length).padStart(6)} ${(s.length / elapsed).toFixed(1).padStart(8)} ${f(percentile(ms, 50))} ${f(percentile(ms, 95))} ${f(percentile(ms, 99))} ${f(percentile(firsts, 95))} ${f(percentile(repeats, 95))}`;
    };
    const bad = samples.filter((s) => s.status !== 200).length;
    errors += bad;
    out.push(
      '',
      `${name}: ${clients} clients, ${samples.length} requests (${samples.filter((s) => s.first).length} first asks) in ${elapsed.toFixed(1)} s = ${(samples.length / elapsed).toFixed(1)} req/s, ${bad} non-200`,
      `${'endpoint'.padEnd(18)} ${'reqs'.padStart(6)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'p95 1st'.padStart(8)} ${'p95 rep'.padStart(8)}`,
      ...INDICATORS.map((i) => row(`/${i}`, samples.filter((s) => s.indicator === i))),
      row('all', samples),
    );
  }
  out.push('', '1st: first ask of a distinct request (computed from the views); rep: repeats (answered from the per-checkpoint cache).');
  process.stdout.write(out.join('\n') + '\n');
  if (errors) process.exitCode = 1;
}

if (process.argv.includes('--serve')) await serve();
else await main();
