/**
 * The inbound side of the load: N requests to a server on 127.0.0.1, all sent at once (a
 * keep-alive agent caps open sockets; the rest wait in its queue, as behind a proxy), each
 * carrying a W3C `traceparent` with a trace id and parent span id of its own, so every
 * server span and everything under it has a known rightful trace.
 */
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';

export interface SentRequest {
  readonly id: string;
  readonly traceId: string;
  /** The caller's span id: the server span's rightful parent. */
  readonly parentSpanId: string;
  status: number | undefined;
  body: string;
  error: unknown;
}

export interface LoadOptions {
  readonly port: number;
  readonly path: (id: string) => string;
  readonly count: number;
  /** Open sockets at most. @default 256 */
  readonly sockets?: number;
  readonly headers?: (id: string) => Record<string, string>;
  /** Prefix of request ids. @default 'r' */
  readonly prefix?: string;
}

export async function sendLoad(options: LoadOptions): Promise<SentRequest[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.sockets ?? 256 });
  const sent: SentRequest[] = [];
  try {
    await Promise.all(
      Array.from({ length: options.count }, (_, i) => {
        const id = `${options.prefix ?? 'r'}${i}`;
        const one: SentRequest = {
          id,
          traceId: randomBytes(16).toString('hex'),
          parentSpanId: randomBytes(8).toString('hex'),
          status: undefined,
          body: '',
          error: undefined,
        };
        sent.push(one);
        return new Promise<void>((resolve) => {
          const req = request(
            {
              host: '127.0.0.1',
              port: options.port,
              path: options.path(id),
              agent,
              headers: {
                traceparent: `00-${one.traceId}-${one.parentSpanId}-01`,
                ...options.headers?.(id),
              },
            },
            (res) => {
              one.status = res.statusCode;
              res.setEncoding('utf8');
              res.on('data', (chunk: string) => {
                one.body += chunk;
              });
              res.on('end', resolve);
              res.on('error', (error) => {
                one.error = error;
                resolve();
              });
            },
          );
          req.on('error', (error) => {
            one.error = error;
            resolve();
          });
          req.end();
        });
      }),
    );
  } finally {
    agent.destroy();
  }
  return sent;
}
