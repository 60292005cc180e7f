/**
 * A plain node:http server on 127.0.0.1 for the HTTP client tests. It extracts the trace
 * context of every request with the test tracer (what a traced server would do), and
 * records what arrived, so tests assert on what really went over the wire.
 *
 * Routes: `/status/<code>`, `/redirect?to=<path>` (302), `/slow?ms=<n>` (head after n ms),
 * anything else → 200 `ok`.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FORMAT_HTTP_HEADERS, type Tracer } from 'opentracing';

export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The trace context the server extracted, or undefined when none arrived. */
  readonly extracted: { readonly traceId: string; readonly spanId: string } | undefined;
}

export interface TestHttpServer {
  readonly origin: string;
  readonly port: number;
  readonly received: ReceivedRequest[];
  /** Resolves when the next request arrives (its head). */
  nextRequest(): Promise<ReceivedRequest>;
  close(): Promise<void>;
}

export async function startHttpServer(tracer: Tracer): Promise<TestHttpServer> {
  const received: ReceivedRequest[] = [];
  let waiters: ((r: ReceivedRequest) => void)[] = [];
  const server: Server = createServer((req, res) => {
    const context = tracer.extract(FORMAT_HTTP_HEADERS, req.headers);
    const traceId = context?.toTraceId();
    const record: ReceivedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      extracted:
        context === null || traceId === undefined || traceId === '' || /^0+$/.test(traceId)
          ? undefined
          : { traceId, spanId: context.toSpanId() },
    };
    received.push(record);
    const woken = waiters;
    waiters = [];
    for (const wake of woken) wake(record);

    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    req.resume();
    const status = /^\/status\/(\d{3})$/.exec(url.pathname);
    if (status) {
      res.writeHead(Number(status[1]), { 'content-type': 'text/plain', 'x-test-route': 'status' });
      res.end(`status ${status[1]}`);
      return;
    }
    if (url.pathname === '/redirect') {
      res.writeHead(302, { location: url.searchParams.get('to') ?? '/' });
      res.end();
      return;
    }
    if (url.pathname === '/slow') {
      const timer = setTimeout(
        () => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('slow');
        },
        Number(url.searchParams.get('ms') ?? '1000'),
      );
      res.on('close', () => clearTimeout(timer));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain', 'x-request-id': 'req-42' });
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    received,
    nextRequest: () => new Promise((resolve) => waiters.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
