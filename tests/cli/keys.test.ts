/**
 * `pathways keys` on both stores: beside the views for a log file, in the
 * database for a PostgreSQL --db. A key the CLI makes is the one a server
 * on that store accepts, and one it revokes is refused there.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { accessPath, openAccessStore } from '@leerroutes/api';
import { postgresForTests, useThrowawayDatabase } from '@leerroutes/event-store/test-support/postgres';
import { pathways } from './run-cli.js';

const pgForTests = await postgresForTests();
const root = mkdtempSync(join(tmpdir(), 'leerroutes-keys-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Store { readonly name: string; readonly skip?: string; setup(): { args(): string[]; location(): string } }

const stores: Store[] = [
  {
    name: 'a log file (SQLite beside the views)',
    setup: () => ({ args: () => ['--db', join(root, 'log.sqlite')], location: () => accessPath(join(root, 'log.views')) }),
  },
  {
    name: 'a PostgreSQL --db',
    ...(pgForTests.available ? {} : { skip: pgForTests.reason }),
    setup() {
      const db = useThrowawayDatabase(pgForTests);
      return { args: () => ['--db', db.url()], location: () => db.url() };
    },
  },
];

describe.each(stores)('pathways keys on $name', (store) => {
  if (store.skip) {
    const reason = store.skip;
    it('needs PostgreSQL', (ctx) => ctx.skip(reason));
    return;
  }
  const place = store.setup();

  it('creates a key a server on the same store accepts, lists it, revokes it', async () => {
    const made = pathways(['keys', 'create', '--role', 'analyst', '--name', 'cli-test', ...place.args()]);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stderr).toMatch(/^Created key (\d+) 'cli-test' with role analyst in (.+) \(read by `pathways serve` with the same --db and --views\)\. It is shown only now:\n$/);
    // It says where it was kept, without a password in a URL.
    const kept = / in (.+) \(read by/.exec(made.stderr)![1]!;
    expect(kept).toBe(place.location().replace(/:[^:@/]+@/, ':***@'));
    const id = Number(/Created key (\d+)/.exec(made.stderr)![1]);
    const secret = made.stdout.trim();
    expect(secret).toMatch(/^lr_analyst_[A-Za-z0-9_-]{43}$/);
    if (!place.location().startsWith('postgres')) expect(existsSync(place.location())).toBe(true);

    const server = await openAccessStore(place.location());
    try {
      expect(await server.verify(secret)).toMatchObject({ id, name: 'cli-test', role: 'analyst' });

      const listed = pathways(['keys', 'list', '--json', ...place.args()]);
      expect(listed.code, listed.stderr).toBe(0);
      expect(JSON.parse(listed.stdout)).toEqual(await server.listKeys());

      const revoked = pathways(['keys', 'revoke', '--id', String(id), ...place.args()]);
      expect(revoked.code, revoked.stderr).toBe(0);
      expect(revoked.stdout).toBe(`revoked key ${id}\n`);
      expect(await server.verify(secret)).toBeNull();

      const again = pathways(['keys', 'revoke', '--id', String(id), ...place.args()]);
      expect(again.code).not.toBe(0);
      expect(again.stderr).toContain(`no active key with id ${id}`);
      const text = pathways(['keys', 'list', ...place.args()]);
      expect(text.stdout).toMatch(new RegExp(`^ +${id}  analyst    cli-test +created \\S+  REVOKED \\S+\\n$`));
    } finally {
      await server.close();
    }
  });
});
