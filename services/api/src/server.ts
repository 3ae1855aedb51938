/** Runs the app on Node's HTTP server. */
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createApp, type AppOptions } from './app.js';
import { ProblemError } from './problem.js';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Node's own default, stated so that the limit in the 431 answer is the one in force whatever NODE_OPTIONS says. */
export const MAX_HEADER_SIZE = 16 * 1024;

export async function startServer(options: AppOptions & { port?: number; host?: string; maxHeaderSize?: number }): Promise<RunningServer> {
  const { app } = createApp(options);
  const host = options.host ?? '127.0.0.1';
  const maxHeaderSize = options.maxHeaderSize ?? MAX_HEADER_SIZE;
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port ?? 8080, hostname: host, serverOptions: { maxHeaderSize } }, (info: AddressInfo) => {
      const shown = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shown}:${info.port}`,
        port: info.port,
        close: () => new Promise<void>((done) => {
          server.close(() => done());
          // Keep-alive connections would hold close() open until they time out.
          (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        }),
      });
    });
    answerClientErrors(server as Server, maxHeaderSize);
    server.once('error', reject);
  });
}

/**
 * Node's HTTP parser refuses some requests before hono sees them (a URL or
 * headers over maxHeaderSize, a request that does not arrive in time,
 * malformed HTTP) and by default answers with an empty body. Answer those
 * with problem details too, as every other error of this API.
 */
function answerClientErrors(server: Server, maxHeaderSize: number): void {
  // The parser reports again for every later chunk of a request it has refused; answer once.
  const answered = new WeakSet<Duplex>();
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (answered.has(socket)) return;
    answered.add(socket);
    // A response already under way on this connection must not be corrupted by a second one.
    const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
    if (err.code === 'ECONNRESET' || !socket.writable || inFlight) {
      socket.destroy();
      return;
    }
    socket.end(rawProblemResponse(clientErrorProblem(err.code, maxHeaderSize)), () => socket.destroy());
  });
}

export function clientErrorProblem(code: string | undefined, maxHeaderSize: number): ProblemError {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return new ProblemError('headers-too-large', 431, `The URL and headers of a request may take ${maxHeaderSize} bytes together; this request's take more.`);
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ProblemError('request-timeout', 408, 'The request did not arrive completely in time.');
    default:
      return new ProblemError('bad-http', 400, `The request could not be parsed as HTTP/1.1${code ? ` (${code})` : ''}.`);
  }
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/** A whole HTTP/1.1 response written straight to the socket: there is no request object to answer through. */
function rawProblemResponse(problem: ProblemError): string {
  const body = JSON.stringify(problem.toProblem());
  return [
    `HTTP/1.1 ${problem.status} ${REASONS[problem.status] ?? 'Error'}`,
    'Content-Type: application/problem+json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Cache-Control: no-store',
    'X-Content-Type-Options: nosniff',
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}
