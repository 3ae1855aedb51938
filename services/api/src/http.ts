/**
 * The small amount of HTTP machinery the routes share: a route table that
 * registers a hono handler and its OpenAPI entry from one declaration,
 * authentication by role, validation into problem details, conditional GETs.
 */
import type { Context, Hono } from 'hono';
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { roleAtLeast, type AccessStore, type ApiKey } from './access/index.js';
import type { RouteSpec } from './openapi.js';
import { ProblemError, validationProblem } from './problem.js';

export type Env = { Variables: { key: ApiKey | null } };
type Infer<S> = S extends z.ZodObject ? z.infer<S> : Record<string, never>;

export interface RouteInput<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** The caller's key; set on every route with a role. */
  readonly key: ApiKey;
}

const camel = (s: string): string => s.replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase());

/** Query parameters as one object: CLI spellings (`as-known-on`) accepted, a repeated `by` joined. */
export function queryObject(c: Context): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, values] of Object.entries(c.req.queries())) {
    const key = camel(name);
    out[key] = key === 'by' ? [out[key], ...values].filter(Boolean).join(',') : values[values.length - 1] ?? '';
  }
  return out;
}

function presentedKey(c: Context): string | null {
  const auth = c.req.header('authorization');
  if (auth) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    return m ? m[1]! : null;
  }
  return c.req.header('x-api-key') ?? null;
}

export async function authenticate(c: Context, access: AccessStore, needed: ApiKey['role']): Promise<ApiKey> {
  const presented = presentedKey(c);
  const key = presented ? await access.verify(presented) : null;
  if (!key) throw new ProblemError('unauthorized', 401, presented ? 'The API key is unknown or revoked.' : 'Send an API key: Authorization: Bearer <key>.');
  if (!roleAtLeast(key.role, needed)) throw new ProblemError('forbidden', 403, `This needs the ${needed} role; the key '${key.name}' has ${key.role}.`);
  return key;
}

function parse<S extends z.ZodObject>(schema: S, input: unknown, location: 'path' | 'query' | 'body'): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationProblem(location, result.error);
  return result.data;
}

export class RouteTable {
  readonly routes: RouteSpec[] = [];
  constructor(private readonly app: Hono<Env>, private readonly access: AccessStore) {}

  add<PS extends z.ZodObject | undefined = undefined, QS extends z.ZodObject | undefined = undefined, BS extends z.ZodObject | undefined = undefined>(
    spec: RouteSpec & { params?: PS; query?: QS; body?: BS },
    handler: (c: Context<Env>, input: RouteInput<Infer<PS>, Infer<QS>, Infer<BS>>) => Promise<Response> | Response,
  ): void {
    this.routes.push(spec);
    const honoPath = spec.path.replace(/\{(\w+)\}/g, ':$1');
    this.app.on(spec.method.toUpperCase(), honoPath, async (c) => {
      const key = spec.role ? await authenticate(c, this.access, spec.role) : null;
      c.set('key', key);
      const params = spec.params ? parse(spec.params, c.req.param(), 'path') : {};
      const query = spec.query ? parse(spec.query, queryObject(c), 'query') : {};
      let body: unknown = {};
      if (spec.body) {
        const raw = await c.req.json().catch(() => { throw new ProblemError('validation', 400, 'The body must be a JSON object.', [{ location: 'body', pointer: '#/', detail: 'not JSON' }]); });
        body = parse(spec.body, raw, 'body');
      }
      return handler(c, { params, query, body, key: key! } as RouteInput<Infer<PS>, Infer<QS>, Infer<BS>>);
    });
  }
}

export const etagOf = (parts: unknown): string =>
  `"${createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 32)}"`;

/** True when the client already holds this version (RFC 9110 weak comparison). */
export function notModified(c: Context, etag: string): boolean {
  const header = c.req.header('if-none-match');
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').map((t) => t.trim().replace(/^W\//, '')).includes(etag);
}

/** JSON unless the client prefers CSV; an Accept that allows neither is refused. */
export function negotiate(c: Context, override?: 'json' | 'csv'): 'json' | 'csv' {
  if (override) return override;
  const accept = (c.req.header('accept') ?? '*/*').toLowerCase();
  const ranked = accept.split(',').map((part) => {
    const [type = '', ...paramParts] = part.trim().split(';');
    const q = paramParts.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return { type: type.trim(), q: q ? Number(q.slice(2)) : 1 };
  }).filter((m) => m.q > 0).sort((a, b) => b.q - a.q);
  for (const m of ranked) {
    if (m.type === 'text/csv') return 'csv';
    if (m.type === 'application/json' || m.type === 'application/*' || m.type === '*/*') return 'json';
  }
  throw new ProblemError('not-acceptable', 406, 'This endpoint serves application/json and text/csv.');
}
