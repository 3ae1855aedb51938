/**
 * The PostgreSQL stores' errors, in a module of their own without pg, so
 * that a caller that only recognises them (the CLI) does not load the driver.
 */
export class PostgresLockedError extends Error {
  constructor(readonly lock: string, readonly holder: string | null, command: string) {
    super(`another ${command} is running on this log${holder ? ` (${holder})` : ''}; wait for it to finish, or stop it, and run this again`);
    this.name = 'PostgresLockedError';
  }
}

/**
 * The first connection to a PostgreSQL store failed: the server cannot be
 * reached, or it refused the user, the password or the database. Nothing
 * was read or written. The message names the place (without its password),
 * what the server or the network said, and what usually fixes it.
 * `code` survives where the class does not (across threads).
 */
export class PostgresUnreachableError extends Error {
  readonly code = 'PG_UNREACHABLE';
  constructor(readonly location: string, cause: Error) {
    super(`cannot connect to PostgreSQL at ${location}: ${cause.message}${hintFor(cause)}`, { cause });
    this.name = 'PostgresUnreachableError';
  }
}

/** The system's codes for a connection that could not be made or was lost (the network, not the server's SQL). */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** What to check, by the SQLSTATE or system code of the failed connection. */
function hintFor(cause: Error): string {
  const code = String((cause as { code?: unknown }).code ?? '');
  if (code === '3D000') return '; create the database (createdb NAME) or name another one in the URL';
  if (code === '28000' || code === '28P01') return '; give a user the server accepts in the URL (postgresql://USER[:PASSWORD]@HOST/DB) or in PGUSER and PGPASSWORD';
  if (NETWORK_ERROR_CODES.has(code)) return '; is the server running, and listening at that host and port?';
  if (/SSL/i.test(cause.message)) return '; ask for the encryption the server offers (sslmode in the URL)';
  return '';
}
