/**
 * Runs the demo as a newcomer would (`make demo` runs the same script) and asserts the shape of
 * its traces: one trace per request, spanning both services and the worker, with the parents
 * the propagation must produce — and that it still exits 0 when Redis and RabbitMQ are gone.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { ReceivedSpan } from '../../examples/demo/otlp-receiver.js';
import { serviceAvailable } from '../helpers/services.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface DemoOutput {
  results: { title: string; status: number }[];
  spans: ReceivedSpan[];
}

async function runDemo(
  file: string,
  env: Record<string, string> = {},
): Promise<{ stdout: string; output: DemoOutput }> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/demo/run.ts'], {
    env: { ...process.env, DEMO_TRACES_FILE: join(dir, file), ...env },
    timeout: 150_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return { stdout, output: JSON.parse(readFileSync(join(dir, file), 'utf8')) as DemoOutput };
}

const byTrace = (spans: ReceivedSpan[]) => {
  const traces = new Map<string, ReceivedSpan[]>();
  for (const span of spans) traces.set(span.traceId, [...(traces.get(span.traceId) ?? []), span]);
  return [...traces.values()].sort(
    (a, b) => Math.min(...a.map((s) => s.startMs)) - Math.min(...b.map((s) => s.startMs)),
  );
};

const [redisUp, amqpUp] = await Promise.all([serviceAvailable('redis'), serviceAvailable('amqp')]);

describe('make demo', () => {
  it.runIf(redisUp && amqpUp)(
    'draws one trace per request spanning orders, inventory and the worker',
    async () => {
      const { stdout, output } = await runDemo('full.json');
      expect(output.results.map((r) => r.status)).toEqual([201, 201, 409, 200]);
      const traces = byTrace(output.spans);
      expect(traces).toHaveLength(4);
      expect(stdout).toContain('4 traces');
      expect(stdout).toContain('[shipping-worker] amqp:consume');

      for (const trace of traces.slice(0, 2)) {
        const find = (name: string, service: string) => trace.filter((s) => s.name === name && s.service === service);
        const [root] = find('POST /orders', 'orders');
        expect(root?.parentId).toBeUndefined();
        expect(new Set(trace.map((s) => s.service))).toEqual(new Set(['orders', 'inventory', 'shipping-worker']));
        // orders → inventory over HTTP: each inventory server span is the child of an orders client span.
        for (const server of trace.filter((s) => s.service === 'inventory' && s.kind === 2)) {
          const parent = trace.find((s) => s.spanId === server.parentId);
          expect(parent?.kind).toBe(3);
          expect(['orders', 'shipping-worker']).toContain(parent?.service);
        }
        // RabbitMQ: the consumer span is the child of the producer span, the worker's call its child.
        const [publish] = find('amqp:publish', 'orders');
        const [consume] = find('amqp:consume', 'shipping-worker');
        expect(consume?.parentId).toBe(publish?.spanId);
        const callback = trace.find((s) => s.service === 'shipping-worker' && s.parentId === consume?.spanId);
        expect(callback?.attributes['http.method']).toBe('POST');
        expect(find('pg:INSERT', 'inventory')).toHaveLength(1);
        expect(find('dynamodb:PutItem', 'orders')).toHaveLength(1);
        expect(trace.filter((s) => s.name.startsWith('redis:')).length).toBeGreaterThan(0);
        expect(trace.every((s) => !s.error)).toBe(true);
      }
      // The refused order never reaches DynamoDB or RabbitMQ.
      expect(traces[2]?.some((s) => s.name === 'dynamodb:PutItem' || s.name === 'amqp:publish')).toBe(false);
    },
    160_000,
  );

  it('without Redis and RabbitMQ, says so, shows those calls as error spans and exits 0', async () => {
    const { stdout, output } = await runDemo('degraded.json', {
      REDIS_URL: 'redis://127.0.0.1:1',
      AMQP_URL: 'amqp://guest:guest@127.0.0.1:1',
    });
    expect(stdout).toMatch(/Redis: not reachable at redis:\/\/127\.0\.0\.1:1/);
    expect(stdout).toMatch(/RabbitMQ: not reachable at amqp:\/\/127\.0\.0\.1:1/);
    expect(stdout).not.toContain('guest:guest');
    expect(output.results.map((r) => r.status)).toEqual([201, 201, 409, 200]);
    const redis = output.spans.filter((s) => s.name.startsWith('redis:'));
    expect(redis.length).toBeGreaterThan(0);
    expect(redis.every((s) => s.error)).toBe(true);
    const publishes = output.spans.filter((s) => s.name === 'publish order.created');
    expect(publishes).toHaveLength(2);
    expect(publishes.every((s) => s.error)).toBe(true);
    expect(byTrace(output.spans)).toHaveLength(4);
  }, 160_000);
});
