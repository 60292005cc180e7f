/**
 * Hostile trace headers on inbound requests (the server adapter) and inbound messages (the
 * AMQP consumer): arbitrary and malformed `traceparent` / `tracestate` values. The request is
 * served and the message handled; the span starts a NEW trace, unless the header was a valid
 * W3C trace context, in which case it continues exactly that one. Never a crash.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import * as amqplib from 'amqplib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configure, resetConfig, tracedAmqp, tracedRequestListener } from '../../../src/index.js';
import { endpoints, serviceAvailable, uniqueName } from '../../helpers/services.js';
import { createTestTracing, type RecordedSpan } from '../../helpers/tracing.js';
import { HostileCounter, RUNS, utf16 } from '../lib/hostile.js';
import { sendLoad } from '../lib/load.js';
import { quiesce, startWatchdog } from '../lib/watchdog.js';
import { sleep } from './lib/fault.js';

const hostile = new HostileCounter('hostile input (inbound trace headers)');
afterAll(() => hostile.record());

const VALID = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** The context a W3C propagator may take from this header, or undefined (a new trace). */
function validContext(header: unknown): { traceId: string; spanId: string } | undefined {
  if (typeof header !== 'string') return undefined;
  const m = VALID.exec(header.trim());
  if (m === null) return undefined;
  const [, version, traceId, spanId] = m as unknown as [string, string, string, string];
  if (version === 'ff' || /^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId };
}

/** A span either starts a new trace, or continues exactly the valid context of its header. */
function expectHonestParent(span: RecordedSpan, header: unknown): void {
  expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(span.traceId).not.toMatch(/^0+$/);
  if (span.parentId === undefined) return;
  const valid = validContext(Array.isArray(header) ? header[0] : header);
  expect(valid, `parent ${span.parentId} from header ${JSON.stringify(header)}`).toBeDefined();
  // A header that is valid but different (e.g. a second traceparent) is not what we check here.
  if (valid !== undefined)
    expect({ traceId: span.traceId, parentId: span.parentId }).toEqual({
      traceId: valid.traceId,
      parentId: valid.spanId,
    });
}

const hex = (n: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'.split('')), minLength: n, maxLength: n });
const nearlyValid = fc
  .tuple(
    fc.constantFrom('00', 'ff', '01', 'zz', ''),
    fc.oneof(hex(32), hex(31), fc.constant('0'.repeat(32))),
    fc.oneof(hex(16), hex(17), fc.constant('0'.repeat(16))),
    fc.constantFrom('01', '00', 'x'),
    fc.constantFrom('', '-extra', ' ', '--'),
  )
  .map(([v, t, s, f, tail]) => `${v}-${t}-${s}-${f}${tail}`);
/** What an HTTP client may send in a header value: printable ASCII and tab, and what looks like a trace context. */
const headerText = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 200 }),
  nearlyValid,
);

describe.runIf(await serviceAvailable('amqp'))('hostile inbound trace headers', () => {
  const tracing = createTestTracing();
  beforeAll(() => configure({ tracer: tracing.tracer, onInstrumentationError: () => {} }));
  afterAll(() => resetConfig());

  it('server adapter: every request served, each server span a new trace or exactly the valid parent', async () => {
    const watchdog = startWatchdog();
    const server = createServer(
      tracedRequestListener((_req: IncomingMessage, res: ServerResponse) => {
        res.end('ok');
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const count = Math.max(50, Math.floor(RUNS / 3));
    const headers = fc.sample(fc.tuple(headerText, headerText), count);
    tracing.reset();
    const sent = await sendLoad({
      port: address.port,
      path: (id) => `/h/${id}`,
      count,
      sockets: 16,
      headers: (id) => {
        const [traceparent, tracestate] = headers[Number(id.slice(1))] ?? ['', ''];
        return { traceparent, tracestate };
      },
    });
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await quiesce();
    for (const s of sent) {
      hostile.tried++;
      if (s.status !== 200) hostile.failures++;
    }
    expect(sent.filter((s) => s.status !== 200).map((s) => String(s.error))).toEqual([]);
    const spans = tracing.spans();
    expect(spans).toHaveLength(count);
    for (const span of spans) {
      const id = Number(String(span.tags['http.url']).split('/h/r')[1]);
      expectHonestParent(span, headers[id]?.[0]);
    }
    expect((await watchdog.stop()).crashes).toBe(0);
    tracing.expectAllFinishedOnce();
  });

  it('AMQP consumer: every message handled, each consumer span a new trace or exactly the valid parent', async () => {
    const watchdog = startWatchdog();
    const raw = await amqplib.connect(endpoints.amqp);
    const rawChannel = await raw.createChannel();
    const connection = tracedAmqp(await amqplib.connect(endpoints.amqp));
    const channel = await connection.createChannel();
    const queue = uniqueName('rel_hostile');
    await channel.assertQueue(queue, { exclusive: true, autoDelete: true });
    const count = Math.max(50, Math.floor(RUNS / 3));
    // Message headers are AMQP field tables: strings, numbers, booleans, nested tables, arrays, bytes.
    const headerValue = fc.oneof(
      headerText,
      utf16,
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(headerText, { maxLength: 3 }),
      fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), headerText, { maxKeys: 3 }),
      fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
    );
    const headers = fc.sample(fc.tuple(headerValue, headerValue), count);
    let handled = 0;
    const expected = { count };
    const done = new Promise<void>((resolve) => {
      void channel.consume(queue, (message) => {
        if (message === null) return;
        channel.ack(message);
        if (++handled === expected.count) resolve();
      });
    });
    tracing.reset();
    // Values amqplib itself cannot encode (it throws in publish) never reach a consumer: skipped.
    const published: number[] = [];
    headers.forEach(([traceparent, tracestate], i) => {
      try {
        rawChannel.sendToQueue(queue, Buffer.from(String(i)), { headers: { traceparent, tracestate } });
        published.push(i);
      } catch {
        // not a message anyone can send
      }
    });
    expected.count = published.length;
    await Promise.race([done, sleep(15_000)]);
    await sleep(50);
    hostile.tried += expected.count;
    hostile.failures += expected.count - handled;
    expect(published.length).toBeGreaterThan(count / 2);
    expect(handled).toBe(expected.count);
    const consumed = tracing.spans().filter((s) => s.tags['span.kind'] === 'consumer');
    expect(consumed).toHaveLength(expected.count);
    // Which message a span is for: the order of delivery is the order of publishing on one channel.
    consumed.forEach((span, i) => {
      expectHonestParent(span, headers[published[i] ?? -1]?.[0]);
    });
    await rawChannel.close();
    await raw.close();
    await channel.close();
    await connection.close();
    expect((await watchdog.stop()).crashes).toBe(0);
    tracing.expectAllFinishedOnce();
  });
});
