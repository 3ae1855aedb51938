/**
 * The HTTP server itself: requests that Node's parser refuses before hono
 * sees them get problem details like every other error.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteAccessStore, type AccessStore } from '../src/access/index.js';
import { ProblemSchema } from '../src/schemas.js';
import { MAX_HEADER_SIZE, startServer, type RunningServer } from '../src/server.js';
import { FakeService } from './fake-service.js';

let dir: string;
let access: AccessStore;
let server: RunningServer;
let key: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'api-server-'));
  access = await openSqliteAccessStore({ path: join(dir, 'x.api.sqlite') });
  key = (await access.createKey('test', 'dashboard')).key;
  server = await startServer({ service: new FakeService(), access, port: 0 });
});
afterAll(async () => {
  await server?.close();
  await access?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function problem431(res: Response) {
  expect(res.status).toBe(431);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = ProblemSchema.parse(await res.json());
  expect(body).toMatchObject({ status: 431, type: 'urn:leerroutes:problem:headers-too-large' });
  expect(body.detail).toContain(String(MAX_HEADER_SIZE));
  return body;
}

describe('requests Node refuses before the app', () => {
  const headers = () => ({ authorization: `Bearer ${key}` });

  it('a URL over the limit is a 431 problem', async () => {
    await problem431(await fetch(`${server.url}/api/indicators/outcome?cohort=2012-2013&x=${'a'.repeat(MAX_HEADER_SIZE)}`, { headers: headers() }));
  });

  it('a header over the limit is a 431 problem', async () => {
    await problem431(await fetch(`${server.url}/api/meta`, { headers: { ...headers(), 'x-padding': 'b'.repeat(MAX_HEADER_SIZE) } }));
  });

  it('just under the limit the request reaches the app', async () => {
    const res = await fetch(`${server.url}/api/meta`, { headers: { ...headers(), 'x-padding': 'b'.repeat(MAX_HEADER_SIZE - 1024) } });
    expect(res.status).toBe(200);
  });

  it('a request that is not HTTP is a 400 problem', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      let out = '';
      socket.on('data', (d) => { out += String(d); });
      socket.on('close', () => resolve(out));
      socket.on('error', reject);
    });
    const [head, body] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head).toMatch(/^Content-Type: application\/problem\+json$/m);
    expect(ProblemSchema.parse(JSON.parse(body!))).toMatchObject({ status: 400, type: 'urn:leerroutes:problem:bad-http' });
  });
});
