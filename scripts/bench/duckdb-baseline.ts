/**
 * The peer the engine is measured against: an analyst with DuckDB and the
 * same CSVs, computing advice-position, outcome and streams (monitor rules,
 * one advice cohort, by parental education at the cohort's start) in SQL
 * straight from the files. Never used by the engine; `pnpm bench` runs it in
 * its own process and puts each query's time beside the engine's.
 *
 * Usage: node --import tsx scripts/bench/duckdb-baseline.ts --dir DIR --cohort 2013-2014
 * Prints `RESULT {json}`: load seconds, and per query the first (cold) and
 * the median of five more runs, in milliseconds, with the rows it returned.
 */
import * as E from 'fp-ts/lib/Either.js';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parseVoLevel } from '@leerroutes/domain';

const args = process.argv.slice(2);
const arg = (name: string): string => {
  const i = args.indexOf(`--${name}`);
  if (i < 0 || args[i + 1] === undefined) throw new Error(`--${name} is required`);
  return args[i + 1]!;
};
const dir = arg('dir');
const cohort = arg('cohort');
const start = `${cohort.slice(0, 4)}-08-01`;

// The analyst's lookup of the level codes in the files (ranks of SPEC 3), written once by hand; here from the same table.
const CODES = ['pro', 'vmbo-b', 'vmbo-k', 'vmbo-g', 'vmbo-t', 'mavo', 'havo', 'vwo', 'atheneum', 'gymnasium', 'vmbo-b/k', 'vmbo-k/t', 'vmbo-t/havo',
  'mavo/havo', 'havo/vwo', 'vmbo-t/havo/vwo', 'vmbo-gt', 'vmbo-g/t', 'vso', 'unknown'];
const levels = CODES.map((code) => {
  const p = parseVoLevel(code);
  const span = E.isRight(p) ? p.right.span : null;
  return `('${code}', ${span ? span.low : 'NULL'}, ${span ? span.high : 'NULL'})`;
}).join(', ');

const CLASS = (f1: string, f2: string, t1: string, t2: string) => `CASE
  WHEN ${f1} IS NULL OR ${t1} IS NULL THEN 'not-comparable'
  WHEN ${f1} = ${t1} AND ${f2} = ${t2} THEN 'gelijk'
  WHEN ${t1} > ${f2} THEN 'opstroom'
  WHEN ${t2} < ${f1} THEN 'afstroom'
  WHEN ${t1} + ${t2} > ${f1} + ${f2} THEN 'half-opstroom'
  WHEN ${t1} + ${t2} < ${f1} + ${f2} THEN 'half-afstroom'
  ELSE 'gelijk' END`;

const COMMON = `
  ref AS (
    SELECT learner_id, arg_max(lower(level), issued_on || CASE kind WHEN 'final' THEN '1' ELSE '2' END) AS level,
           arg_max(school_year, issued_on || CASE kind WHEN 'final' THEN '1' ELSE '2' END) AS school_year
    FROM advice WHERE kind IN ('final', 'revised') GROUP BY learner_id),
  cohort AS (SELECT r.learner_id, l.lo, l.hi FROM ref r LEFT JOIN lvl l ON l.code = r.level WHERE r.school_year = '${cohort}'),
  bg AS (SELECT learner_id, arg_max(parental_education, valid_from) AS pe FROM learners WHERE valid_from <= '${start}' GROUP BY learner_id)`;

const QUERIES: Record<string, string> = {
  'advice-position': `WITH ${COMMON},
    y3 AS (SELECT learner_id, arg_min(lower(level), reference_date) AS level FROM enrollments WHERE sector = 'vo' AND grade = '3' GROUP BY learner_id)
    SELECT coalesce(bg.pe, 'unknown') AS pe, ${CLASS('c.lo', 'c.hi', 'p.lo', 'p.hi')} AS category, count(*) AS n
    FROM cohort c JOIN y3 ON y3.learner_id = c.learner_id LEFT JOIN lvl p ON p.code = y3.level LEFT JOIN bg ON bg.learner_id = c.learner_id
    GROUP BY ALL ORDER BY ALL`,
  outcome: `WITH ${COMMON},
    top AS (SELECT learner_id, max(CASE level WHEN 'vmbo-b' THEN 1 WHEN 'vmbo-k' THEN 2 WHEN 'vmbo-g' THEN 3 WHEN 'vmbo-t' THEN 3 WHEN 'havo' THEN 4 WHEN 'vwo' THEN 5 END) AS rank
            FROM diplomas WHERE level IN ('vmbo-b', 'vmbo-k', 'vmbo-g', 'vmbo-t', 'havo', 'vwo') GROUP BY learner_id)
    SELECT coalesce(bg.pe, 'unknown') AS pe,
           CASE WHEN top.rank IS NULL THEN 'no-vo-diploma' ELSE ${CLASS('c.lo', 'c.hi', 'top.rank', 'top.rank')} END AS category, count(*) AS n
    FROM cohort c LEFT JOIN top ON top.learner_id = c.learner_id LEFT JOIN bg ON bg.learner_id = c.learner_id
    GROUP BY ALL ORDER BY ALL`,
  streams: `WITH ${COMMON},
    vo AS (SELECT e.learner_id, CAST(substr(e.school_year, 1, 4) AS INTEGER) AS year, e.institution, TRY_CAST(e.grade AS INTEGER) AS grade, l.lo, l.hi
           FROM enrollments e LEFT JOIN lvl l ON l.code = lower(e.level) WHERE e.sector = 'vo' AND e.learner_id IN (SELECT learner_id FROM cohort)),
    dipl AS (SELECT DISTINCT learner_id, CAST(substr(school_year, 1, 4) AS INTEGER) AS year FROM diplomas WHERE level IN ('vmbo-b', 'vmbo-k', 'vmbo-g', 'vmbo-t', 'havo', 'vwo')),
    steps AS (
      SELECT a.learner_id, a.year - ${cohort.slice(0, 4)} AS k, d.learner_id IS NOT NULL AS stacked,
             ${CLASS('a.lo', 'a.hi', 'b.lo', 'b.hi')} AS cls, b.grade <= a.grade AS lower_grade, a.institution <> b.institution AS switched
      FROM vo a JOIN vo b ON b.learner_id = a.learner_id AND b.year = a.year + 1
      LEFT JOIN dipl d ON d.learner_id = a.learner_id AND d.year = a.year)
    SELECT coalesce(bg.pe, 'unknown') AS pe, k,
           count(*) AS steps,
           count(*) FILTER (WHERE stacked) AS stacked,
           count(*) FILTER (WHERE NOT stacked AND cls = 'afstroom') AS afstroom,
           count(*) FILTER (WHERE NOT stacked AND cls = 'opstroom') AS opstroom,
           count(*) FILTER (WHERE NOT stacked AND cls = 'gelijk') AS gelijk,
           count(*) FILTER (WHERE NOT stacked AND cls = 'half-afstroom') AS half_afstroom,
           count(*) FILTER (WHERE NOT stacked AND cls = 'half-opstroom') AS half_opstroom,
           count(*) FILTER (WHERE NOT stacked AND cls = 'gelijk' AND lower_grade) AS repeated,
           count(*) FILTER (WHERE NOT stacked AND switched) AS switched
    FROM steps s LEFT JOIN bg ON bg.learner_id = s.learner_id
    GROUP BY ALL ORDER BY ALL`,
};

async function main(): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  const t0 = performance.now();
  for (const table of ['enrollments', 'advice', 'diplomas', 'learners']) {
    await db.run(`CREATE TABLE ${table} AS SELECT * FROM read_csv('${join(dir, `${table}.csv`)}', header = true, all_varchar = true)`);
  }
  await db.run(`CREATE TABLE lvl AS SELECT * FROM (VALUES ${levels}) t(code, lo, hi)`);
  const loadSeconds = (performance.now() - t0) / 1000;
  const queries: Record<string, { coldMs: number; medianMs: number; rows: number }> = {};
  for (const [name, sql] of Object.entries(QUERIES)) {
    let t = performance.now();
    const rows = (await db.runAndReadAll(sql)).getRows().length;
    const coldMs = performance.now() - t;
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      t = performance.now();
      await db.runAndReadAll(sql);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    queries[name] = { coldMs, medianMs: times[2]!, rows };
  }
  process.stdout.write(`RESULT ${JSON.stringify({ loadSeconds, queries, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
