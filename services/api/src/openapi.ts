/**
 * The OpenAPI 3.1 document, generated from the route table and the zod
 * schemas the handlers validate with (zod 4's own JSON Schema output, which
 * is the 2020-12 dialect OpenAPI 3.1 uses).
 */
import { z } from 'zod';
import type { Role } from './access/index.js';

export interface ResponseSpec {
  readonly description: string;
  /** Name of a schema in `components.schemas`. */
  readonly schema?: string;
  readonly csv?: boolean;
  /** The body is a file of this format (an export). */
  readonly parquet?: boolean;
}

export interface RouteSpec {
  readonly method: 'get' | 'post';
  /** OpenAPI path template (`/api/indicators/{indicator}`). */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly tag: string;
  /** Least role allowed; null for public endpoints. */
  readonly role: Role | null;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodObject;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
}

function parameters(schema: z.ZodObject | undefined, location: 'path' | 'query'): object[] {
  if (!schema) return [];
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, prop]) => {
    const { description, ...rest } = prop;
    return {
      name, in: location,
      required: location === 'path' || (json.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

export function openApiDocument(routes: readonly RouteSpec[], schemas: Readonly<Record<string, z.ZodType>>, info: { version: string }): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const r of routes) {
    const responses: Record<string, object> = {};
    for (const [status, spec] of Object.entries(r.responses)) {
      const content: Record<string, object> = {};
      if (spec.schema) content[spec.schema === 'Problem' ? 'application/problem+json' : 'application/json'] = { schema: { $ref: `#/components/schemas/${spec.schema}` } };
      if (spec.parquet) content['application/vnd.apache.parquet'] = { schema: { type: 'string', contentMediaType: 'application/vnd.apache.parquet' } };
      if (spec.csv) content['text/csv'] = { schema: { type: 'string' } };
      responses[status] = { description: spec.description, ...(Object.keys(content).length ? { content } : {}) };
    }
    const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
    if (r.params || r.query || r.body) responses['400'] ??= problem('Invalid parameters (problem details with one entry per field)');
    if (r.role) {
      responses['401'] = problem('No or unknown API key');
      responses['403'] = problem(`The key's role is below ${r.role}`);
    }
    (paths[r.path] ??= {})[r.method] = {
      operationId: r.operationId,
      summary: r.summary,
      tags: [r.tag],
      ...(r.role ? { security: [{ bearer: [] }, { apiKey: [] }], 'x-required-role': r.role } : { security: [] }),
      parameters: [...parameters(r.params, 'path'), ...parameters(r.query, 'query')],
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(r.body, { io: 'input' }) } } } } : {}),
      responses,
    };
  }
  const components = Object.fromEntries(Object.entries(schemas).map(([name, s]) => [name, z.toJSONSchema(s, { io: 'output', unrepresentable: 'any' })]));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Leerroutes API',
      version: info.version,
      description: 'Indicators over learner pathways (long format, JSON or CSV by content negotiation). Roles: dashboard (suppressed aggregates), analyst (+ learner pathways and explanations, audited), engineer (+ import, rebuild, audit log).',
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <API key>' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
      schemas: components,
    },
    paths,
  };
}
