/**
 * HTTP: `fetch` (Node's global fetch) and `undici.request` (undici 7, one Agent) to a
 * keep-alive node:http server in a worker thread, sequential and 64 in flight. The body is
 * read to the end on every request, as an application would.
 */
import type { Agent } from 'undici';
import { startServerThread } from '../lib/threads.js';
import { tracedDispatcherWith, tracedFetchWith } from '../traced/http.js';
import { type FloorSpans, type Scenario, tracedFactory, type Workload } from './types.js';

const scenarios = (client: string): Scenario[] => [
  { name: 'seq', concurrency: 1, title: `${client} GET, sequential` },
  { name: 'c64', concurrency: 64, title: `${client} GET, 64 in flight` },
];

/** The floor of a propagating client: one bare span, its context in the request headers. */
function floorOp(floor: FloorSpans, send: (headers: Record<string, string>) => Promise<unknown>) {
  return async () => {
    const span = floor.startSpan('GET');
    const headers: Record<string, string> = {};
    floor.inject(span, headers);
    try {
      return await send(headers);
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
          : floorOp(floor, async (headers) => (await fetch(url, { headers })).arrayBuffer()),
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
    const request = async (headers?: Record<string, string>) => {
      const { body } = await undici.request(url, headers === undefined ? { dispatcher } : { dispatcher, headers });
      return body.arrayBuffer();
    };
    return {
      op: floor === undefined ? () => request() : floorOp(floor, request),
      floorHandled: floor !== undefined,
      async close() {
        await agent.close();
        await server.close();
      },
    };
  },
};
