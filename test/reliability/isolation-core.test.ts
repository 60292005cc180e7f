/**
 * Isolation under load through the core alone (runs now; the client version is
 * clients/isolation.test.ts): N concurrent inbound requests to a node:http server whose
 * handler continues the caller's trace (extractSafely → a server span → spanInContext, what
 * the server adapters do) and calls the kv stand-in client in every style it has: promise,
 * callback, sync, lazy thenable, stream, a handed-out session. Every kv span must be a child
 * of its own request's server span; every span finished exactly once.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { FORMAT_HTTP_HEADERS, type Span } from 'opentracing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spanInContext } from '../../src/context/index.js';
import { configure, extractSafely, resetConfig } from '../../src/core/index.js';
import { KvClient, tracedKv } from '../helpers/kv-client.js';
import { createTestTracing } from '../helpers/tracing.js';
import { FIGURE, recordFigure, scaled } from './lib/figures.js';
import { checkParents, expectParents, SpanLedger } from './lib/ledger.js';
import { sendLoad } from './lib/load.js';
import { quiesce, startWatchdog } from './lib/watchdog.js';

const SOURCE = 'isolation under load (core, kv stand-in)';
const N = scaled(500, 5000);
const requestStore = new AsyncLocalStorage<string>();

describe(`isolation through the core: ${N} concurrent requests`, () => {
  const tracing = createTestTracing();
  const ledger = new SpanLedger(tracing);
  const faults: string[] = [];
  const server = createServer();
  let port = 0;

  beforeAll(async () => {
    configure({ tracer: tracing.tracer, onInstrumentationError: (_e, source) => faults.push(source) });
    // Ground truth from the test's own context, not the library's.
    const requestHook = (span: Span) => {
      const id = requestStore.getStore();
      if (id !== undefined) span.setTag('test.request', id);
    };
    const good = tracedKv(new KvClient(), { requestHook });
    // A client that loses the context (its parent lookup says "none"): the check must see it.
    const lost = tracedKv(new KvClient(), { requestHook, currentSpan: () => null });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const [, route, id = ''] = (req.url ?? '').split('/');
      const kv = route === 'lost' ? lost : good;
      const parent = extractSafely(tracing.tracer, FORMAT_HTTP_HEADERS, req.headers);
      const span = tracing.tracer.startSpan('server', {
        childOf: parent,
        tags: { 'test.request': id, 'span.kind': 'server' },
      });
      const work = async () => {
        await kv.set(id, id);
        const values = await Promise.all([
          kv.get(id),
          new Promise((resolve) => kv.getCb(id, (_e, v) => resolve(v))),
          Promise.resolve(kv.getSync(id)),
          kv.getLater(id),
          new Promise((resolve) => kv.scan().once('end', () => resolve(id))),
          kv
            .session()
            .get(id)
            .then(() => id),
        ]);
        return values;
      };
      spanInContext(span, () => requestStore.run(id, work)).then(
        (values) => {
          res.end(JSON.stringify(values));
          span.finish();
        },
        (error: unknown) => {
          res.statusCode = 500;
          res.end(String(error));
          span.finish();
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    port = address.port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    resetConfig();
  });

  it('every kv span is a child of its own request span, every span finished exactly once', async () => {
    const watchdog = startWatchdog();
    const sent = await sendLoad({ port, path: (id) => `/r/${id}`, count: N, sockets: 256 });
    await quiesce(50);
    const report = await watchdog.stop();
    const spans = ledger.drain();
    const byId = new Map(sent.map((s) => [s.id, s]));
    const servers = new Map(spans.filter((s) => s.name === 'server').map((s) => [String(s.tags['test.request']), s]));
    const expected = expectParents(spans, (span) => {
      const id = span.tags['test.request'];
      const request = byId.get(String(id));
      // kv:scan and the session's calls start no hook: they are checked by trace below.
      if (request === undefined) return undefined;
      if (span.name === 'server') return { traceId: request.traceId, parentId: request.parentSpanId };
      return { traceId: request.traceId, parentId: servers.get(String(id))?.spanId };
    });
    // Spans without the hook's tag (scan, session): the right trace, under a span of it.
    const untagged = spans.filter((s) => s.tags['test.request'] === undefined);
    const traces = new Map(sent.map((s) => [s.traceId, s]));
    const serverIds = new Set([...servers.values()].map((s) => s.spanId));
    const strays = untagged.filter((s) => !traces.has(s.traceId) || !serverIds.has(s.parentId ?? ''));
    const parents = ledger.checkParents(spans, expected);
    const counts = ledger.counts();
    const checked = parents.checked + untagged.length;
    const misparented = parents.misparented + strays.length;
    console.log(`isolation (core): ${N} requests; spans checked / misparented: ${checked} / ${misparented}`);
    recordFigure(FIGURE.SPANS_CHECKED, checked, SOURCE);
    recordFigure(FIGURE.MISPARENTED, misparented, SOURCE);
    recordFigure(FIGURE.STARTED, counts.started, SOURCE);
    recordFigure(FIGURE.FINISHED, counts.finished, SOURCE);
    recordFigure(FIGURE.DOUBLE_FINISHED, counts.doubleFinished, SOURCE);
    recordFigure(FIGURE.UNFINISHED, counts.unfinished, SOURCE);
    recordFigure(FIGURE.CRASHES, report.crashes, SOURCE);

    expect(sent.filter((s) => s.status !== 200 || !s.body.includes(`"${s.id}"`)).length).toBe(0);
    expect(parents.examples).toEqual([]);
    expect(strays.map((s) => `${s.name} ${s.traceId}/${s.parentId}`).slice(0, 5)).toEqual([]);
    // server + set + get + getCb + getSync + getLater + scan + session get, per request
    expect(checked).toBe(N * 8);
    expect(counts.doubleFinished).toBe(0);
    expect(counts.unfinished).toBe(0);
    expect(report.crashes).toBe(0);
    expect(faults).toEqual([]);
  });

  it('the check catches spans that lost their request (negative control, not in the figures)', async () => {
    ledger.drain();
    const sent = await sendLoad({ port, path: (id) => `/lost/${id}`, count: 20, prefix: 'lost' });
    await quiesce(50);
    const spans = ledger.drain();
    const byId = new Map(sent.map((s) => [s.id, s]));
    const servers = new Map(spans.filter((s) => s.name === 'server').map((s) => [String(s.tags['test.request']), s]));
    const expected = expectParents(spans, (span) => {
      const request = byId.get(String(span.tags['test.request']));
      if (request === undefined || span.name === 'server') return undefined;
      return { traceId: request.traceId, parentId: servers.get(request.id)?.spanId };
    });
    // set, get, getCb, getSync, getLater and the session's get: 6 lost spans per request.
    expect(checkParents(spans, expected)).toMatchObject({ checked: 20 * 6, misparented: 20 * 6 });
  });
});
