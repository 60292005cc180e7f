/**
 * The traced clients together, as a service uses them: inside every server adapter's handler
 * and inside an AMQP consumer's handler, real `tracedFetch` (to a second local server),
 * `tracedRedis` and `tracedPg` calls must nest under their own request's / delivery's span,
 * also with hundreds in flight at once.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { FORMAT_HTTP_HEADERS, type Span } from 'opentracing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tracedAmqp } from '../../src/clients/amqplib/index.js';
import { tracedFetch } from '../../src/clients/http/index.js';
import { tracedRedis } from '../../src/clients/ioredis/index.js';
import { tracedPg } from '../../src/clients/pg/index.js';
import { spanInContext } from '../../src/context/index.js';
import { configure, resetConfig } from '../../src/core/index.js';
import { type AdapterName, adapters, type Behaviour, type RunningApp } from '../helpers/server-apps.js';
import { endpoints, serviceAvailable, uniqueName } from '../helpers/services.js';
import { createTestTracing, expectChildOf, idsOf, type RecordedSpan } from '../helpers/tracing.js';
import { waitFor } from '../helpers/wait.js';

const [pgUp, redisUp, amqpUp] = await Promise.all([
  serviceAvailable('pg'),
  serviceAvailable('redis'),
  serviceAvailable('amqp'),
]);
const ready = pgUp && redisUp && amqpUp;

const tracing = createTestTracing();
const fetch = tracedFetch();
let downstream: { url: string; close(): Promise<void> };
let db: pg.Pool;
let redis: Redis;
const prefix = uniqueName('xclient');

/** A second service: answers with the trace id it received, proving the header went out. */
async function startDownstream(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    res.end(JSON.stringify({ traceparent: req.headers.traceparent ?? null }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What every handler does: an HTTP call, a cache read and a query, after a little waiting. */
async function backendWork(n: number): Promise<{ traceparent: string | null }> {
  await new Promise((r) => setTimeout(r, n % 5));
  const response = await fetch(`${downstream.url}/item/${n}`);
  const body = (await response.json()) as { traceparent: string | null };
  await redis.get(`${prefix}:${n}`);
  await db.query('SELECT $1::int AS n', [n]);
  return body;
}

beforeAll(async () => {
  if (!ready) return;
  configure({ tracer: tracing.tracer });
  downstream = await startDownstream();
  db = tracedPg(new pg.Pool({ connectionString: endpoints.pg, max: 10 }));
  redis = tracedRedis(new Redis(endpoints.redis));
});
afterAll(async () => {
  if (!ready) return;
  resetConfig();
  await downstream.close();
  await db.end();
  redis.disconnect();
});

function traceHeaders(parent: Span): Record<string, string> {
  const carrier: Record<string, string> = {};
  tracing.tracer.inject(parent.context(), FORMAT_HTTP_HEADERS, carrier);
  return carrier;
}

function childrenByParent(spans: RecordedSpan[]): Map<string, RecordedSpan[]> {
  const map = new Map<string, RecordedSpan[]>();
  for (const span of spans) {
    if (span.parentId === undefined) continue;
    map.set(span.parentId, [...(map.get(span.parentId) ?? []), span]);
  }
  return map;
}

const BACKEND = ['GET', 'pg:SELECT', 'redis:GET'];

describe.runIf(ready)('server adapters × real traced clients', () => {
  const names = Object.keys(adapters) as AdapterName[];
  for (const name of names) {
    it(`${name}: 500 concurrent requests, each handler's fetch/redis/pg spans under its own server span`, async () => {
      tracing.reset();
      const behaviour: Behaviour = {
        work: (n) => backendWork(n),
        slowStarted: () => {},
        health: async () => {},
      };
      const app: RunningApp = await adapters[name](behaviour);
      try {
        const N = 500;
        const parents = Array.from({ length: N }, (_, i) => tracing.tracer.startSpan(`caller-${i}`));
        const results = await Promise.all(
          parents.map(async (parent, i) => {
            const response = await globalThis.fetch(`${app.url}/api/work/${i}`, {
              method: 'POST',
              headers: { ...traceHeaders(parent), 'content-type': 'application/json' },
              body: JSON.stringify({ i }),
            });
            expect(response.status).toBe(200);
            return (await response.json()) as { result: { traceparent: string | null } };
          }),
        );
        for (const parent of parents) parent.finish();
        const servers = () => tracing.spans().filter((s) => s.tags['span.kind'] === 'server');
        await waitFor(() => servers().length >= N, `${N} server spans`, 20_000);

        const byParent = childrenByParent(tracing.spans());
        let checked = 0;
        for (let i = 0; i < N; i++) {
          const parent = idsOf(parents[i] as Span);
          const server = (byParent.get(parent.spanId) ?? []).filter((s) => s.tags['span.kind'] === 'server');
          expect(server, `server span of request ${i}`).toHaveLength(1);
          const serverSpan = server[0] as RecordedSpan;
          expectChildOf(serverSpan, parent);
          const children = byParent.get(serverSpan.spanId) ?? [];
          expect(children.map((c) => c.name).sort(), `backend spans of request ${i}`).toEqual(BACKEND);
          for (const child of children) expectChildOf(child, serverSpan);
          // The downstream service received this request's own fetch span as its parent.
          const fetchSpan = children.find((c) => c.name === 'GET') as RecordedSpan;
          expect(results[i]?.result.traceparent).toContain(`${parent.traceId}-${fetchSpan.spanId}`);
          checked += children.length + 1;
        }
        expect(checked).toBe(N * (BACKEND.length + 1));
        tracing.expectAllFinishedOnce();
      } finally {
        await app.close();
      }
    });
  }
});

describe.runIf(ready)('AMQP consumer handler × real traced clients', () => {
  it('fetch, redis and pg calls made in the handler are children of the consumer span', async () => {
    tracing.reset();
    const publisherConnection = tracedAmqp(await amqp.connect(endpoints.amqp));
    const consumerConnection = tracedAmqp(await amqp.connect(endpoints.amqp));
    const queue = uniqueName('xclient');
    try {
      const producer = await publisherConnection.createConfirmChannel();
      const consumer = await consumerConnection.createChannel();
      await consumer.assertQueue(queue, { autoDelete: true });
      await consumer.prefetch(20);
      const N = 100;
      const handled = new Set<number>();
      await consumer.consume(queue, async (message) => {
        if (message === null) return;
        const n = Number(message.content.toString());
        await backendWork(n);
        consumer.ack(message);
        handled.add(n);
      });
      const parents = Array.from({ length: N }, (_, i) => tracing.tracer.startSpan(`request-${i}`));
      for (let i = 0; i < N; i++) {
        spanInContext(parents[i] as Span, () => producer.sendToQueue(queue, Buffer.from(String(i))));
      }
      await producer.waitForConfirms();
      await waitFor(() => handled.size === N, `${N} deliveries handled`, 20_000);
      for (const parent of parents) parent.finish();
      await waitFor(() => tracing.named('amqp:consume').length === N, 'consumer spans', 20_000);

      const spans = tracing.spans();
      const byParent = childrenByParent(spans);
      for (let i = 0; i < N; i++) {
        const parent = idsOf(parents[i] as Span);
        const [publish] = (byParent.get(parent.spanId) ?? []).filter((s) => s.name === 'amqp:publish');
        expect(publish, `publish span of message ${i}`).toBeDefined();
        const [consume] = (byParent.get((publish as RecordedSpan).spanId) ?? []).filter(
          (s) => s.name === 'amqp:consume',
        );
        expect(consume, `consume span of message ${i}`).toBeDefined();
        const children = byParent.get((consume as RecordedSpan).spanId) ?? [];
        expect(children.map((c) => c.name).sort()).toEqual(BACKEND);
        for (const child of children) expect(child.traceId).toBe(parent.traceId);
      }
      tracing.expectAllFinishedOnce();
      await consumer.deleteQueue(queue);
    } finally {
      await publisherConnection.close();
      await consumerConnection.close();
    }
  });
});
