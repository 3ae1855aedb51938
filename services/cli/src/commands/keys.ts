// The access store alone: the API's index would load the server and the engine (and DuckDB) for nothing.
import { ROLES, accessLocation, openAccessStore, type Role } from '@leerroutes/api/access';
import { redactUrl } from '@leerroutes/engine/paths';
import { CommandError, UsageError, dbPath, intFlag, stringFlag, viewsPath, type Command } from '../command.js';
import { DB_OPTION, VIEWS_OPTION } from '../options.js';

export const command: Command = {
  name: 'keys',
  summary: 'API keys for the HTTP API: create (shown once), list, revoke',
  usage: [
    'Usage: pnpm pathways keys create --role dashboard|analyst|engineer --name NAME [--db PATH] [--views DIR]',
    '       pnpm pathways keys list [--json] [--db PATH] [--views DIR]',
    '       pnpm pathways keys revoke --id N [--db PATH] [--views DIR]',
    '',
    'Roles: dashboard (suppressed aggregates), analyst (+ learner pathways and cell explanations, audited),',
    'engineer (+ import, rebuild, the audit log, unsuppressed statistics). Only a hash of each key is stored.',
    'The keys live next to the read models (--views, or --db and its views); with --db a postgres:// URL, in that database.',
    'A server reads them from there: start `pathways serve` with the same --db and --views.',
  ].join('\n'),
  options: [
    { name: 'role', value: 'ROLE', description: `create: the key's role (${ROLES.join(', ')})` },
    { name: 'name', value: 'NAME', description: 'create: who or what uses the key (it appears in the audit log)' },
    { name: 'id', value: 'N', description: 'revoke: the id of the key (see keys list)' },
    { name: 'json', description: 'list: print the keys as JSON' },
    DB_OPTION, VIEWS_OPTION,
  ],
  maxArgs: 1,
  async run(ctx) {
    const [action] = ctx.args;
    const location = accessLocation(dbPath(ctx), viewsPath(ctx));
    const access = await openAccessStore(location);
    try {
      if (action === 'create') {
        const role = stringFlag(ctx, 'role');
        const name = stringFlag(ctx, 'name');
        if (!role || !(ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
        if (!name) throw new UsageError('--name is needed (who or what uses the key; it appears in the audit log)');
        const { key, apiKey } = await access.createKey(name, role as Role);
        // Where it was kept: a key made beside other views than the server's is refused as unknown, which does not say why.
        ctx.stderr.write(`Created key ${apiKey.id} '${name}' with role ${role} in ${redactUrl(location)} (read by \`pathways serve\` with the same --db and --views). It is shown only now:\n`);
        ctx.stdout.write(`${key}\n`);
        return 0;
      }
      if (action === 'list') {
        const keys = await access.listKeys();
        if (ctx.flags['json']) ctx.stdout.write(JSON.stringify(keys, null, 2) + '\n');
        else ctx.stdout.write(keys.map((k) => `${String(k.id).padStart(4)}  ${k.role.padEnd(9)}  ${k.name.padEnd(24)}  created ${k.createdAt}${k.revokedAt ? `  REVOKED ${k.revokedAt}` : ''}`).join('\n') + (keys.length ? '\n' : '(no keys)\n'));
        return 0;
      }
      if (action === 'revoke') {
        const id = intFlag(ctx, 'id');
        if (id === undefined) throw new UsageError('--id is needed (see `pathways keys list`)');
        if (!(await access.revokeKey(id))) throw new CommandError(`no active key with id ${id}`);
        ctx.stdout.write(`revoked key ${id}\n`);
        return 0;
      }
      throw new UsageError(action ? `unknown action '${action}'` : 'an action is needed: create, list or revoke');
    } finally {
      await access.close();
    }
  },
};
