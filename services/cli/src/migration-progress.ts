// A module of its own: `stats` shows it without loading the engine (and DuckDB with it).
import type { MigrationProgress, OnMigrate } from '@leerroutes/event-store/sqlite';
import type { CommandContext } from './command.js';
import { createProgress, type Progress } from './progress.js';

/**
 * Rewriting a log written by older code takes minutes on a national log, on
 * the first open by newer code: whatever command opens it shows it happen.
 */
export function migrationProgress(ctx: CommandContext): { readonly onMigrate: OnMigrate; done(): void } {
  let progress: Progress | null = null;
  return {
    onMigrate: ({ from, to, events, total }: MigrationProgress) => {
      progress ??= createProgress(ctx, 'events');
      progress.update(events, total, `upgrading the log from version ${from} to ${to}`);
    },
    done: () => (progress as Progress | null)?.stop(),
  };
}
