/**
 * The PostgreSQL log's errors, in a module of their own without pg, so that
 * a caller that only recognises them (the CLI) does not load the driver.
 */
export class PostgresLockedError extends Error {
  constructor(readonly lock: string, readonly holder: string | null, command: string) {
    super(`another ${command} is running on this log${holder ? ` (${holder})` : ''}; wait for it to finish, or stop it, and run this again`);
    this.name = 'PostgresLockedError';
  }
}
