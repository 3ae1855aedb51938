import type { Command } from './command.js';

/**
 * Every CLI command, in the order `pathways help` lists them. Adding a command
 * is one file under commands/ and one line here; the command's file declares
 * its options (`options`, `maxArgs`), and the parser accepts nothing else. Modules load only when their
 * command runs: loading all of them (the HTTP server, the dashboard bundler,
 * the generator) cost every invocation seconds of start-up.
 */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<{ command: Command }>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'generate', summary: 'Write synthetic registration CSVs for a seeded population', load: () => import('./commands/generate.js') },
  { name: 'import', summary: 'Import a directory of yearly registration CSVs and bring the projections up to date', load: () => import('./commands/import.js') },
  { name: 'stats', summary: 'Counts per event type, learners, and the last position of the event log', load: () => import('./commands/stats.js') },
  { name: 'learner', summary: "One learner's events in valid-time order and pathway with its classifications", load: () => import('./commands/learner.js') },
  { name: 'report', summary: 'An indicator for a cohort under a rule set, in long format (table, json, csv), optionally as known on a date', load: () => import('./commands/report.js') },
  { name: 'export', summary: 'Events, person-period, spells or an indicator report as a Parquet or CSV file for R, Python and DuckDB', load: () => import('./commands/export.js') },
  { name: 'explain', summary: 'Why a learner is classified as they are, or which learners are behind one cell', load: () => import('./commands/explain.js') },
  { name: 'catch-up', summary: 'Bring every projection up to the head of the event log', load: () => import('./commands/catch-up.js') },
  { name: 'rebuild', summary: 'Replay projections into a new generation of the views and publish it (readers keep the old one until then)', load: () => import('./commands/rebuild.js') },
  { name: 'erase', summary: 'Erase one learner from the log, the ledger and every view (privacy law), with an audit record', load: () => import('./commands/erase.js') },
  { name: 'backup', summary: 'A consistent, checked copy of the event log and its ledger, made while imports run (to restore from)', load: () => import('./commands/backup.js') },
  { name: 'dump', summary: 'Print the event log, the import ledger and the views as canonical text (to compare two states)', load: () => import('./commands/dump.js') },
  { name: 'project', summary: 'A projection worker: keep the views current (a catch-up session whenever the log moves) until stopped', load: () => import('./commands/project.js') },
  { name: 'serve', summary: 'HTTP API and web dashboard over the projected views', load: () => import('./commands/serve.js') },
  { name: 'keys', summary: 'API keys for the HTTP API: create (shown once), list, revoke', load: () => import('./commands/keys.js') },
];
