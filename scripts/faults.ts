/**
 * `pnpm faults [--runs N] [--seed S] [--learners N] [--phases a,b] [--keep DIR]`
 *
 * Fault injection: runs the engine's long commands in a child process on a
 * generated population, kills the child with SIGKILL at a seeded random
 * moment, runs the same command again, and compares the resulting event log,
 * import ledger and views (`pathways dump`) with those of an uninterrupted
 * run. Phases, in the order of the scenario:
 *
 *   import      pathways import <population> --no-projections   (reading, sealing, deriving, finishing)
 *   catch-up    pathways catch-up                                (the views follow the log)
 *   redelivery  pathways import <corrected re-delivery>          (corrections, then the inline catch-up)
 *   rebuild     pathways rebuild                                 (a new generation of the views, published)
 *   erase       pathways erase <learner> --reason ...            (views, then log and ledger)
 *
 * The uninterrupted run is done once; its state after each phase is kept as
 * a snapshot, so each killed run starts from the snapshot before its phase.
 * Besides the random kills, each phase is killed once at each of its named
 * failpoints (packages/engine/src/failpoint.ts): the windows between the
 * views and the log, which a random moment seldom hits.
 * Prints, per phase, where the kills landed and how many events were lost or
 * doubled and how many log, ledger and view lines differ: all must be 0.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FAILPOINTS, type Failpoint } from '@leerroutes/engine';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const KNOWN_FLAGS = new Set(['runs', 'seed', 'learners', 'phases', 'keep']);
for (const a of process.argv.slice(2)) {
  if (a.startsWith('--') && !KNOWN_FLAGS.has(a.slice(2))) {
    process.stderr.write(`unknown option ${a} (known: ${[...KNOWN_FLAGS].map((f) => `--${f}`).join(', ')})\n`);
    process.exit(2);
  }
}

const PHASES = ['import', 'catch-up', 'redelivery', 'rebuild', 'erase'] as const;
type Phase = (typeof PHASES)[number];
const runs = Number(flag('runs') ?? 10);
const seed = Number(flag('seed') ?? 1);
const learners = Number(flag('learners') ?? 2000);
const phases = (flag('phases')?.split(',') ?? [...PHASES]) as Phase[];
for (const p of phases) if (!PHASES.includes(p)) { process.stderr.write(`unknown phase ${p} (${PHASES.join(', ')})\n`); process.exit(2); }
const root = flag('keep') ?? mkdtempSync(join(tmpdir(), 'leerroutes-faults-'));
mkdirSync(root, { recursive: true });
const repo = join(import.meta.dirname, '..');
const cli = join(repo, 'services', 'cli', 'bin', 'pathways.js');

/** mulberry32: a small seeded generator, so a run can be repeated exactly. */
function rng(s: number): () => number {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(seed);

const population = join(root, 'population');
const correction = join(root, 'correction');
const ERASED = 'L0000010';

function argsOf(phase: Phase): string[] {
  switch (phase) {
    case 'import': return ['import', population, '--known-at', '2023-11-01', '--no-projections', '--quiet'];
    case 'catch-up': return ['catch-up', '--quiet'];
    case 'redelivery': return ['import', correction, '--known-at', '2024-01-15', '--quiet'];
    case 'rebuild': return ['rebuild', '--quiet'];
    case 'erase': return ['erase', ERASED, '--reason', 'fault injection'];
  }
}

const envFor = (dir: string, failpoint?: Failpoint) => ({ ...process.env, PATHWAYS_DB: join(dir, 'pathways.sqlite'), ...(failpoint ? { LEERROUTES_FAILPOINT: failpoint } : {}) });

/** The failpoints each phase passes, by their prefix; import:* on both imports (the first skips its catch-up, the re-delivery runs it). */
const failpointsOf = (phase: Phase): Failpoint[] =>
  FAILPOINTS.filter((f) => (phase === 'redelivery' ? f.startsWith('import:') : f.startsWith(`${phase}:`)));

/** Run the CLI to its end; with a failpoint, the run kills itself there (signal SIGKILL when it got there). */
function runCli(dir: string, args: string[], failpoint?: Failpoint): { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: repo, env: envFor(dir, failpoint), encoding: 'utf8', maxBuffer: 1 << 30 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The state as text. An erasure's audit record has a random id by design (a
 * derived one would tie it to the learner), so its id is masked: two runs
 * erasing the same learner for the same reason compare equal.
 */
function dump(dir: string): string {
  const r = runCli(dir, ['dump']);
  if (r.status !== 0) throw new Error(`dump failed in ${dir}: ${r.stderr}`);
  let section = '';
  return r.stdout.split('\n').map((line) => {
    if (line.startsWith('## ')) section = line;
    // Only the log's events carry the id; views may name the audit stream too (event-counts has a row per event).
    if (section !== '## log' || !line.includes('"audit-erasures"')) return line;
    const e = JSON.parse(line) as unknown[];
    e[3] = '(random audit id)';
    (e[8] as Record<string, unknown>)['erasureId'] = '(random audit id)';
    return JSON.stringify(e);
  }).join('\n');
}

/** Start a phase, kill it after `delayMs` if it still runs; resolves with whether the kill landed. */
function runKilled(dir: string, phase: Phase, delayMs: number): Promise<{ killed: boolean; exit: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...argsOf(phase)], { cwd: repo, env: envFor(dir), stdio: 'ignore' });
    let killed = false;
    const timer = setTimeout(() => { killed = child.kill('SIGKILL'); }, delayMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ killed: killed && signal === 'SIGKILL', exit: code });
    });
  });
}

/** Where an import stood when it was killed, read from its ledger. */
function importState(dir: string): string {
  const path = join(dir, 'pathways.sqlite');
  if (!existsSync(path)) return 'before the log existed';
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const has = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'ledger_delivery'").get();
    if (!has) return 'before the ledger existed';
    const d = db.prepare("SELECT id, state, learners_done, learners_total FROM ledger_delivery ORDER BY id DESC LIMIT 1").get() as { id: number; state: string; learners_done: number; learners_total: number } | undefined;
    if (!d) return 'before the delivery started';
    if (d.state === 'reading') {
      const f = db.prepare('SELECT file, records_done, done FROM ledger_delivery_file WHERE delivery = ? ORDER BY rowid DESC LIMIT 1').get(d.id) as { file: string; records_done: number; done: number } | undefined;
      return f ? `reading ${f.file}${f.done ? ' (done)' : ''}` : 'reading (no batch committed)';
    }
    if (d.state === 'deriving') return d.learners_done === 0 ? 'deriving (sealed)' : `deriving (${Math.floor((100 * d.learners_done) / Math.max(1, d.learners_total) / 25) * 25}%+)`;
    return d.state;
  } finally {
    db.close();
  }
}

function diff(a: string, b: string): { lines: number; lost: number; doubled: number; sections: Record<string, number> } {
  const sectionOf = (text: string) => {
    const out = new Map<string, string[]>();
    let cur = '';
    for (const line of text.split('\n')) {
      if (line.startsWith('## ')) { cur = line.slice(3); out.set(cur, []); continue; }
      out.get(cur)?.push(line);
    }
    return out;
  };
  const sa = sectionOf(a);
  const sb = sectionOf(b);
  const sections: Record<string, number> = {};
  let lines = 0;
  for (const name of new Set([...sa.keys(), ...sb.keys()])) {
    const x = sa.get(name) ?? [];
    const y = sb.get(name) ?? [];
    const counts = new Map<string, number>();
    for (const l of x) counts.set(l, (counts.get(l) ?? 0) + 1);
    for (const l of y) counts.set(l, (counts.get(l) ?? 0) - 1);
    const d = [...counts.values()].reduce((n, c) => n + Math.abs(c), 0);
    sections[name] = d;
    lines += d;
  }
  // Events by id: lost (in the reference, not here) and doubled (stored more than once, or not in the reference).
  const ids = (lines: string[]) => lines.filter(Boolean).map((l) => (JSON.parse(l) as unknown[])[3] as string);
  const ref = ids(sa.get('log') ?? []);
  const got = ids(sb.get('log') ?? []);
  const refSet = new Set(ref);
  const seen = new Set<string>();
  let doubled = 0;
  for (const id of got) { if (seen.has(id) || !refSet.has(id)) doubled++; seen.add(id); }
  const lost = ref.filter((id) => !seen.has(id)).length;
  return { lines, lost, doubled, sections };
}

async function main(): Promise<void> {
  process.stderr.write(`faults: ${runs} runs, seed ${seed}, ${learners} learners, phases ${phases.join(', ')}; work in ${root}\n`);
  if (!existsSync(join(population, 'enrollments.csv'))) {
    const g = runCli(root, ['generate', '--out', population, '--learners', String(learners), '--cohorts', '2012-2013', '--seed', '20261202', '--redelivery', correction, '--quiet']);
    if (g.status !== 0) throw new Error(`generate failed: ${g.stderr}`);
  }

  // The uninterrupted run, with a snapshot before and after each phase.
  const reference = join(root, 'reference');
  rmSync(reference, { recursive: true, force: true });
  mkdirSync(reference, { recursive: true });
  const snapshots = new Map<Phase, string>();
  const after = new Map<Phase, string>();
  const durations = new Map<Phase, number>();
  for (const phase of PHASES) {
    const before = join(root, `before-${phase}`);
    rmSync(before, { recursive: true, force: true });
    cpSync(reference, before, { recursive: true });
    snapshots.set(phase, before);
    const t0 = performance.now();
    const r = runCli(reference, argsOf(phase));
    durations.set(phase, performance.now() - t0);
    if (r.status !== 0) throw new Error(`uninterrupted ${phase} failed: ${r.stderr}`);
    after.set(phase, dump(reference));
    process.stderr.write(`faults: uninterrupted ${phase} took ${(durations.get(phase)! / 1000).toFixed(1)} s\n`);
  }

  interface Outcome { phase: Phase; delay: number; killed: boolean; at: string; rerun: number | null; lines: number; lost: number; doubled: number; sections: Record<string, number>; unreached?: boolean }
  const outcomes: Outcome[] = [];
  /** Run the phase again after the kill and compare with the uninterrupted run. */
  const rerun = (dir: string, phase: Phase, delay: number, killed: boolean, at: string, killedHow: string): Outcome => {
    const again = runCli(dir, argsOf(phase));
    // Erasing a learner whose erasure already went through says so and exits 1; the state is what counts.
    const rerunOk = again.status === 0 || (phase === 'erase' && /no learner/.test(again.stderr));
    const d = diff(after.get(phase)!, dump(dir));
    const outcome: Outcome = { phase, delay, killed, at, rerun: rerunOk ? 0 : again.status, ...d };
    outcomes.push(outcome);
    process.stderr.write(`faults: ${killedHow} (${at}): rerun ${rerunOk ? 'ok' : `failed ${again.status}: ${again.stderr.trim().split('\n').pop()}`}, lost ${d.lost}, doubled ${d.doubled}, differing lines ${d.lines}\n`);
    if (d.lines === 0 && rerunOk) rmSync(dir, { recursive: true, force: true });
    return outcome;
  };
  const fresh = (name: string, phase: Phase): string => {
    const dir = join(root, name);
    rmSync(dir, { recursive: true, force: true });
    cpSync(snapshots.get(phase)!, dir, { recursive: true });
    return dir;
  };
  for (let i = 0; i < runs; i++) {
    const phase = phases[i % phases.length]!;
    const delay = Math.round(random() * durations.get(phase)!);
    const dir = fresh(`run-${i}`, phase);
    const k = await runKilled(dir, phase, delay);
    const at = !k.killed ? `finished before the kill (exit ${k.exit})` : phase === 'import' || phase === 'redelivery' ? importState(dir) : `${Math.floor((100 * delay) / durations.get(phase)! / 25) * 25}%+ of its time`;
    rerun(dir, phase, delay, k.killed, at, `run ${i + 1}/${runs} ${phase} killed at ${delay} ms`);
  }
  // Every failpoint of the phases asked for, once each: not left to chance.
  let fp = 0;
  for (const phase of phases) {
    for (const failpoint of failpointsOf(phase)) {
      const dir = fresh(`failpoint-${fp++}`, phase);
      const r = runCli(dir, argsOf(phase), failpoint);
      const killed = r.signal === 'SIGKILL';
      // A failpoint the phase no longer reaches tests nothing: that fails the run.
      const o = rerun(dir, phase, 0, killed, killed ? `failpoint ${failpoint}` : `failpoint ${failpoint} not reached (exit ${r.status})`, killed ? `failpoint ${phase} killed itself` : `failpoint ${phase}`);
      o.unreached = !killed;
    }
  }

  const lines = ['| phase | runs | kills that landed | where they landed | events lost | events doubled | differing log / ledger / view lines | failed reruns |', '|---|---|---|---|---|---|---|---|'];
  for (const phase of phases) {
    const os = outcomes.filter((o) => o.phase === phase);
    if (os.length === 0) continue;
    const where = new Map<string, number>();
    for (const o of os) where.set(o.at, (where.get(o.at) ?? 0) + 1);
    const sum = (f: (o: Outcome) => number) => os.reduce((n, o) => n + f(o), 0);
    lines.push(`| ${phase} | ${os.length} | ${os.filter((o) => o.killed).length} | ${[...where].map(([w, n]) => `${w}: ${n}`).join('; ')} | ${sum((o) => o.lost)} | ${sum((o) => o.doubled)} | ${sum((o) => o.sections['log'] ?? 0)} / ${sum((o) => o.sections['ledger'] ?? 0)} / ${sum((o) => o.sections['views'] ?? 0)} | ${os.filter((o) => o.rerun !== 0 || o.unreached).length} |`);
  }
  const report = `Fault injection: ${runs} runs at random moments and ${fp} at failpoints, seed ${seed}, ${learners} learners\n\n${lines.join('\n')}\n`;
  mkdirSync(join(repo, 'bench-results'), { recursive: true });
  writeFileSync(join(repo, 'bench-results', `faults-${seed}.md`), report);
  writeFileSync(join(repo, 'bench-results', `faults-${seed}.json`), JSON.stringify(outcomes, null, 2) + '\n');
  process.stdout.write(report);
  const bad = outcomes.filter((o) => o.lines > 0 || o.rerun !== 0 || o.unreached);
  if (!flag('keep')) rmSync(root, { recursive: true, force: true });
  if (bad.length > 0) {
    process.stderr.write(`faults: ${bad.length} run(s) did not end in the uninterrupted state${flag('keep') ? `; see ${root}` : ''}\n`);
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
