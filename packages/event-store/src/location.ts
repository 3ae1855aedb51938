/**
 * What a location string names, in one place for every package: a
 * postgres:// or postgresql:// URL is a PostgreSQL database; anything else a
 * file path (or ':memory:').
 */
export const isPostgresUrl = (location: string): boolean => /^postgres(ql)?:\/\//i.test(location);

/** A location for messages and logs: a URL without its password; a file path as it is. */
export function redactUrl(location: string): string {
  if (!isPostgresUrl(location)) return location;
  try {
    const u = new URL(location);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}
