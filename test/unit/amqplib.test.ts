import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FORMAT_TEXT_MAP, MockTracer, type Span, type Tracer } from 'opentracing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AMQP_DEFAULT_EXCHANGE, tracedAmqp } from '../../src/amqplib.js';
import { extractFromHeaders, headersCarrier, withTraceHeaders } from '../../src/clients/amqplib/headers.js';
import { tagMessage, tagPublish } from '../../src/clients/amqplib/tags.js';
import { configure, resetConfig } from '../../src/core/index.js';
import { createTestTracing } from '../helpers/tracing.js';

const tracing = createTestTracing();
const faults: string[] = [];

beforeEach(() => {
  tracing.reset();
  faults.length = 0;
  configure({ tracer: tracing.tracer, onInstrumentationError: (_e, source) => faults.push(source) });
});
afterEach(() => resetConfig());

function span() {
  return tracing.tracer.startSpan('publish');
}

describe('withTraceHeaders', () => {
  it('layers the trace context over the caller objects without touching them', () => {
    const headers = Object.freeze({ 'x-tenant': 'acme' });
    const options = Object.freeze({ headers, messageId: 'm1' });
    const s = span();
    const sent = withTraceHeaders(tracing.tracer, s, options, undefined) as { headers: Record<string, unknown> };
    expect(sent).not.toBe(options);
    expect(options.headers).toBe(headers);
    expect(Object.keys(headers)).toEqual(['x-tenant']);
    // What amqplib reads: every option by property access, headers by for…in.
    expect((sent as unknown as { messageId: string }).messageId).toBe('m1');
    const encoded: Record<string, unknown> = {};
    for (const key in sent.headers) encoded[key] = sent.headers[key];
    expect(encoded['x-tenant']).toBe('acme');
    expect(String(encoded.traceparent)).toContain(s.context().toSpanId());
  });

  it('never overwrites a header the caller set, even to undefined', () => {
    const options = { headers: { traceparent: 'mine', tracestate: undefined } };
    const sent = withTraceHeaders(tracing.tracer, span(), options, undefined);
    expect(sent).toBe(options);
    expect(options.headers).toEqual({ traceparent: 'mine', tracestate: undefined });
  });

  it('adds headers when the caller gave no options or no headers', () => {
    for (const options of [undefined, null, {}, { headers: null }]) {
      const sent = withTraceHeaders(tracing.tracer, span(), options, undefined) as { headers: object };
      expect(Object.keys(sent.headers)).toContain('traceparent');
    }
  });

  it('leaves options that are not objects to amqplib, as given', () => {
    for (const options of ['nonsense', 42, { headers: 'nonsense' }]) {
      expect(withTraceHeaders(tracing.tracer, span(), options, undefined)).toBe(options);
    }
  });

  it('a tracer whose inject throws sends the options unchanged and reports the fault', () => {
    const options = { messageId: 'x' };
    const sent = withTraceHeaders(new MockTracer() as unknown as Tracer, span(), options, (_e, source) =>
      faults.push(source),
    );
    expect(sent).toBe(options);
    expect(faults).toEqual(['tracer.inject']);
  });
});

describe('reading trace headers', () => {
  it('offers only text values (Buffers decoded) to the tracer', () => {
    const carrier = headersCarrier({
      traceparent: 'a',
      binary: Buffer.from('b'),
      count: 3,
      list: ['c'],
      nested: { d: 1 },
      nothing: null,
    });
    expect(carrier).toEqual({ traceparent: 'a', binary: 'b' });
    expect(headersCarrier(undefined)).toBeUndefined();
    expect(headersCarrier({ count: 1 })).toBeUndefined();
  });

  it('round-trips a context and gives undefined for missing or corrupt ones', () => {
    const s = span();
    const headers: Record<string, string> = {};
    tracing.tracer.inject(s.context(), FORMAT_TEXT_MAP, headers);
    expect(extractFromHeaders(tracing.tracer, headers, undefined)?.toSpanId()).toBe(s.context().toSpanId());
    expect(extractFromHeaders(tracing.tracer, undefined, undefined)).toBeUndefined();
    expect(extractFromHeaders(tracing.tracer, { traceparent: '00-zz-zz-01' }, undefined)).toBeUndefined();
    const throwing = {
      extract() {
        throw new Error('bad carrier');
      },
    } as unknown as Tracer;
    expect(extractFromHeaders(throwing, headers, (_e, source) => faults.push(source))).toBeUndefined();
    expect(faults).toEqual(['tracer.extract']);
  });
});

/** The tags a tagger sets, read off a span that only records them. */
function tagsOf(tag: (span: Span) => void): Record<string, unknown> {
  const tags: Record<string, unknown> = {};
  tag({ setTag: (key: string, value: unknown) => (tags[key] = value) } as unknown as Span);
  return tags;
}

describe('tags', () => {
  it('publish: the default exchange is named, the queue is the destination, the body is only a size', () => {
    const body = Buffer.from('secret body');
    const tags = tagsOf((span) =>
      tagPublish(span, '', 'tasks', body, { messageId: 'm', correlationId: 'c' }, undefined),
    );
    expect(tags).toEqual({
      'message_bus.destination': 'tasks',
      'amqp.exchange': AMQP_DEFAULT_EXCHANGE,
      'amqp.routing_key': 'tasks',
      'amqp.message_id': 'm',
      'amqp.correlation_id': 'c',
      'amqp.payload_size': 11,
    });
    expect(JSON.stringify(tags)).not.toContain('secret');
    expect(tagsOf((span) => tagPublish(span, 'orders', '', body, undefined, undefined))).toEqual({
      'message_bus.destination': 'orders',
      'amqp.exchange': 'orders',
      'amqp.payload_size': 11,
    });
  });

  it('long user strings are capped', () => {
    const tags = tagsOf((span) =>
      tagPublish(span, 'x', 'k', Buffer.alloc(0), { messageId: 'i'.repeat(5000) }, undefined),
    );
    expect(String(tags['amqp.message_id']).length).toBeLessThanOrEqual(256);
  });

  it('message tags come from fields and properties, never the content', () => {
    const message = {
      content: Buffer.from('secret'),
      fields: { deliveryTag: 3, redelivered: true, exchange: '', routingKey: 'q', consumerTag: 'ctag' },
      properties: { messageId: 'm', headers: {} } as never,
    };
    const tags = tagsOf((span) => tagMessage(span, 'q', message, undefined));
    expect(tags).toEqual({
      'message_bus.destination': 'q',
      'amqp.queue': 'q',
      'amqp.exchange': AMQP_DEFAULT_EXCHANGE,
      'amqp.routing_key': 'q',
      'amqp.delivery_tag': 3,
      'amqp.redelivered': true,
      'amqp.consumer_tag': 'ctag',
      'amqp.message_id': 'm',
      'amqp.payload_size': 6,
    });
    expect(JSON.stringify(tags)).not.toContain('secret');
  });

  it('a message without fields or properties (a broken broker or test double) is tagged as far as it goes', () => {
    const message = { content: Buffer.from('x'), fields: null, properties: undefined } as never;
    expect(tagsOf((span) => tagMessage(span, 'q', message, undefined))).toEqual({
      'message_bus.destination': 'q',
      'amqp.queue': 'q',
      'amqp.payload_size': 1,
    });
  });

  it('a span whose setTag throws: each fault reported, every other tag still set', () => {
    const faults: string[] = [];
    const tags: Record<string, unknown> = {};
    const span = {
      setTag: (key: string, value: unknown) => {
        if (key === 'amqp.exchange') throw new Error('tracer bug');
        tags[key] = value;
      },
    } as unknown as Span;
    tagPublish(span, '', 'tasks', Buffer.alloc(2), undefined, (_error, source) => faults.push(source));
    expect(faults).toEqual(['span.setTag']);
    expect(tags).toEqual({ 'message_bus.destination': 'tasks', 'amqp.routing_key': 'tasks', 'amqp.payload_size': 2 });
  });
});

describe('tracedAmqp', () => {
  it('imports amqplib only as types, so the root entry loads without it', () => {
    const dir = fileURLToPath(new URL('../../src/clients/amqplib/', import.meta.url));
    for (const file of readdirSync(dir)) {
      const source = readFileSync(join(dir, file), 'utf8');
      const runtime = source.match(/^import\s+(?!type\b)[^;]*?from\s+'amqplib[^']*'/gm) ?? [];
      expect({ file, runtime }).toEqual({ file, runtime: [] });
    }
  });

  it('rejects what is neither a connection nor a channel', () => {
    expect(() => tracedAmqp({} as never)).toThrow(TypeError);
    expect(() => tracedAmqp(null as never)).toThrow(/got null/);
  });
});
