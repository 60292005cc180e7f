/**
 * HTTP: `fetch` (Node's global fetch) and `undici.request` (undici 7, one Agent) to a
 * keep-alive node:http server in a worker thread, sequential and 64 in flight. The body is
 * read to the end on every request, as an application would.
 */

import { Tags } from 'opentracing';
import type { Agent } from 'undici';
import { startServerThread } from '../lib/threads.js';
import { tracedDispatcherWith, tracedFetchWith } from '../traced/http.js';
import { clientTags, peerTags } from './floor-tags.js';
import { type FloorSpans, type FloorTags, type Scenario, tracedFactory, type Workload } from './types.js';

const scenarios = (client: string): Scenario[] => [
  { name: 'seq', concurrency: 1, title: `${client} GET, sequential` },
  { name: 'c64', concurrency: 64, title: `${client} GET, 64 in flight` },
];

/** A response read to its end. */
export interface Received {
  readonly status: number;
  readonly body: ArrayBuffer;
}

/** The design's start tags of an HTTP client span for `GET url`. */
export function httpTags(component: string, url: string): FloorTags {
  const { hostname, port } = new URL(url);
  return clientTags(component, {
    [Tags.HTTP_METHOD]: 'GET',
    [Tags.HTTP_URL]: url,
    ...peerTags(hostname, Number(port)),
  });
}

/** The floor of a propagating client: one span, its context in the request headers, the status tagged. */
export function httpFloorOp(
  floor: FloorSpans,
  tags: FloorTags,
  send: (headers: Record<string, string>) => Promise<Received>,
) {
  return async () => {
    const span = floor.startSpan('GET', tags);
    const headers: Record<string, string> = {};
    floor.inject(span, headers);
    try {
      const { status, body } = await send(headers);
      span.setTag(Tags.HTTP_STATUS_CODE, status);
      return body;
    } finally {
      span.finish();
    }
  };
}

async function undiciInstrumentation() {
  const { UndiciInstrumentation } = await import('@opentelemetry/instrumentation-undici');
  return [new UndiciInstrumentation()];
}

export const fetchWorkload: Workload = {
  name: 'fetch',
  scenarios: scenarios('fetch'),
  otel: undiciInstrumentation,
  async setup(context) {
    const wrap = await tracedFactory(context, tracedFetchWith);
    const server = await startServerThread('http-server.mjs');
    const url = `http://127.0.0.1:${server.port}/bench`;
    const fetch = wrap ? wrap(globalThis.fetch) : globalThis.fetch;
    const { floor } = context;
    return {
      op:
        floor === undefined
          ? async () => (await fetch(url)).arrayBuffer()
          : httpFloorOp(floor, httpTags('fetch', url), async (headers) => {
              const response = await fetch(url, { headers });
              return { status: response.status, body: await response.arrayBuffer() };
            }),
      floorHandled: floor !== undefined,
      close: () => server.close(),
    };
  },
};

export const undiciWorkload: Workload = {
  name: 'undici',
  scenarios: scenarios('undici.request'),
  otel: undiciInstrumentation,
  async setup(context) {
    const wrap = await tracedFactory(context, tracedDispatcherWith);
    const undici = context.require('undici') as typeof import('undici');
    const server = await startServerThread('http-server.mjs');
    const url = `http://127.0.0.1:${server.port}/bench`;
    const agent: Agent = new undici.Agent({ keepAliveTimeout: 30_000 });
    const dispatcher = wrap ? wrap(agent) : agent;
    const { floor } = context;
    const request = (headers?: Record<string, string>) =>
      undici.request(url, headers === undefined ? { dispatcher } : { dispatcher, headers });
    return {
      op:
        floor === undefined
          ? async () => (await request()).body.arrayBuffer()
          : httpFloorOp(floor, httpTags('undici', url), async (headers) => {
              const { statusCode, body } = await request(headers);
              return { status: statusCode, body: await body.arrayBuffer() };
            }),
      floorHandled: floor !== undefined,
      async close() {
        await agent.close();
        await server.close();
      },
    };
  },
};
