/**
 * tracedAmqp against the real RabbitMQ of this machine (promise API; the callback API has its
 * own file). Every queue and exchange is named with `uniqueName` and deleted afterwards.
 */
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import { MockTracer, Tracer as OpenTracingTracer, type Span, type Tracer } from 'opentracing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AMQP_DEFAULT_EXCHANGE, tracedAmqp } from '../../src/amqplib.js';
import { getCurrentSpan, spanInContext } from '../../src/context/index.js';
import { configure, isTraced, resetConfig, tracedFunction, untraced } from '../../src/core/index.js';
import { endpoints, serviceAvailable, uniqueName } from '../helpers/services.js';
import { createTestTracing, errorLog, expectChildOf, idsOf, type RecordedSpan } from '../helpers/tracing.js';
import { sleep, waitFor } from '../helpers/wait.js';

const available = await serviceAvailable('amqp');
const tracing = createTestTracing();

/** Runs `trigger` with vitest's own listeners set aside and resolves with the next unhandled rejection's reason. */
async function nextUnhandledRejection(trigger: () => unknown, timeoutMs = 5_000): Promise<unknown> {
  const saved = process.listeners('unhandledRejection');
  process.removeAllListeners('unhandledRejection');
  try {
    return await new Promise((resolve, reject) => {
      process.once('unhandledRejection', (reason) => resolve(reason));
      setTimeout(() => reject(new Error('no unhandledRejection')), timeoutMs);
      trigger();
    });
  } finally {
    process.removeAllListeners('unhandledRejection');
    for (const listener of saved) process.on('unhandledRejection', listener);
  }
}

describe.runIf(available)('tracedAmqp, promise API, real RabbitMQ', () => {
  // Publisher and consumer on separate connections, as two services would be.
  let pubConnection: ChannelModel;
  let subConnection: ChannelModel;
  let admin: Channel;
  const queues: string[] = [];
  const exchanges: string[] = [];

  async function freshQueue(options?: amqp.Options.AssertQueue): Promise<string> {
    const name = uniqueName('tc_amqp_q');
    queues.push(name);
    // x-expires: the broker drops the queue if a crashed run could not.
    await admin.assertQueue(name, { durable: false, expires: 300_000, ...options });
    return name;
  }

  async function freshExchange(): Promise<string> {
    const name = uniqueName('tc_amqp_x');
    exchanges.push(name);
    await admin.assertExchange(name, 'direct', { durable: false });
    return name;
  }

  beforeAll(async () => {
    pubConnection = await amqp.connect(endpoints.amqp);
    subConnection = await amqp.connect(endpoints.amqp);
    admin = await pubConnection.createChannel();
  });

  afterAll(async () => {
    // A fresh connection, and a fresh channel after any failed delete, so one broken channel
    // never leaves the rest behind.
    const connection = await amqp.connect(endpoints.amqp);
    let cleaner = await connection.createChannel();
    const deletes = [
      ...queues.map((queue) => () => cleaner.deleteQueue(queue)),
      ...exchanges.map((exchange) => () => cleaner.deleteExchange(exchange)),
    ];
    for (const remove of deletes) {
      try {
        await remove();
      } catch {
        cleaner = await connection.createChannel();
      }
    }
    await connection.close();
    await pubConnection?.close().catch(() => {});
    await subConnection?.close().catch(() => {});
  });

  beforeEach(() => {
    tracing.reset();
    configure({ tracer: tracing.tracer });
  });
  afterEach(() => resetConfig());

  it('the consumer span is a child of the producer span, across connections; traced calls in the handler nest under it', async () => {
    const exchange = await freshExchange();
    const queue = await freshQueue();
    await admin.bindQueue(queue, exchange, 'orders.created');
    const publisher = await tracedAmqp(pubConnection).createChannel();
    const consumer = await tracedAmqp(subConnection).createChannel();
    expect(isTraced(publisher)).toBe(true);
    expect(isTraced(consumer)).toBe(true);

    const loadOrder = tracedFunction(
      async (id: string) => {
        await sleep(2);
        return id;
      },
      { name: 'loadOrder' },
    );
    const seen: { message: ConsumeMessage; current: Span | undefined; loaded: string }[] = [];
    const replyQueue = await freshQueue();
    await consumer.consume(queue, async (message) => {
      if (message === null) return;
      const current = getCurrentSpan();
      const loaded = await loadOrder(message.properties.messageId as string);
      // A traced client call made in the handler: this channel's own publish.
      consumer.sendToQueue(replyQueue, Buffer.from('done'));
      seen.push({ message, current, loaded });
      consumer.ack(message);
    });

    const parent = tracing.tracer.startSpan('checkout');
    const written = spanInContext(parent, () =>
      publisher.publish(exchange, 'orders.created', Buffer.from('{"order":42}'), {
        messageId: 'msg-42',
        correlationId: 'corr-7',
        contentType: 'application/json',
      }),
    );
    parent.finish();
    expect(written).toBe(true);
    await waitFor(() => seen.length === 1, 'the delivery');

    const publish = tracing.named('amqp:publish').find((s) => s.tags['amqp.routing_key'] === 'orders.created');
    const consume = tracing.one('amqp:consume');
    expect(publish).toBeDefined();
    const producer = publish as RecordedSpan;
    expectChildOf(producer, idsOf(parent));
    expectChildOf(consume, producer);
    expect(producer.tags).toMatchObject({
      'span.kind': 'producer',
      component: 'amqplib',
      'message_bus.destination': exchange,
      'amqp.exchange': exchange,
      'amqp.routing_key': 'orders.created',
      'amqp.message_id': 'msg-42',
      'amqp.correlation_id': 'corr-7',
      'amqp.payload_size': 12,
      'peer.port': 5672,
    });
    const [{ message, current, loaded }] = seen as [(typeof seen)[0]];
    expect(loaded).toBe('msg-42');
    expect(consume.tags).toMatchObject({
      'span.kind': 'consumer',
      component: 'amqplib',
      'message_bus.destination': queue,
      'amqp.queue': queue,
      'amqp.exchange': exchange,
      'amqp.routing_key': 'orders.created',
      'amqp.redelivered': false,
      'amqp.delivery_tag': message.fields.deliveryTag,
      'amqp.consumer_tag': message.fields.consumerTag,
      'amqp.message_id': 'msg-42',
      'amqp.payload_size': 12,
    });
    // The consumer span was current in the handler; the handler's traced calls are its children.
    expect(current && idsOf(current)).toEqual({ traceId: consume.traceId, spanId: consume.spanId });
    expectChildOf(tracing.one('loadOrder'), consume);
    const reply = tracing.named('amqp:publish').find((s) => s.tags['amqp.routing_key'] === replyQueue);
    expect(reply).toBeDefined();
    expectChildOf(reply as RecordedSpan, consume);
    expect(reply?.tags['amqp.exchange']).toBe(AMQP_DEFAULT_EXCHANGE);
    expect(reply?.tags['message_bus.destination']).toBe(replyQueue);
    tracing.expectAllFinishedOnce();
  });

  it("never changes the caller's options or headers, never overwrites a header the caller set, and propagates", async () => {
    const queue = await freshQueue();
    const channel = await tracedAmqp(pubConnection).createChannel();
    const headers = Object.freeze({ 'x-tenant': 'acme', 'x-attempt': 1 });
    const options = Object.freeze({ headers, messageId: 'frozen', persistent: false });
    const before = JSON.stringify(options);
    expect(channel.sendToQueue(queue, Buffer.from('a'), options)).toBe(true);
    expect(JSON.stringify(options)).toBe(before);
    expect(Object.keys(headers)).toEqual(['x-tenant', 'x-attempt']);
    expect(options.headers).toBe(headers);

    // A traceparent of the caller's own is sent as the caller set it.
    const own = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const ownHeaders = { traceparent: own };
    channel.sendToQueue(queue, Buffer.from('b'), { headers: ownHeaders });
    expect(ownHeaders).toEqual({ traceparent: own });

    const first = await channel.get(queue, { noAck: true });
    const second = await channel.get(queue, { noAck: true });
    expect(first).not.toBe(false);
    expect(second).not.toBe(false);
    const firstHeaders = (first as amqp.GetMessage).properties.headers ?? {};
    expect(firstHeaders).toMatchObject({ 'x-tenant': 'acme', 'x-attempt': 1 });
    const publishes = tracing.named('amqp:publish');
    const producer = publishes.find((s) => s.tags['amqp.message_id'] === 'frozen') as RecordedSpan;
    expect(String(firstHeaders.traceparent)).toContain(producer.traceId);
    expect(String(firstHeaders.traceparent)).toContain(producer.spanId);
    expect((second as amqp.GetMessage).properties.headers?.traceparent).toBe(own);
  });

  it('never records message bodies', async () => {
    const queue = await freshQueue();
    const secret = `card-4111111111111111-${Date.now()}`;
    const publisher = await tracedAmqp(pubConnection).createChannel();
    const consumer = await tracedAmqp(subConnection).createChannel();
    let received: string | undefined;
    await consumer.consume(
      queue,
      (message) => {
        received = message?.content.toString();
      },
      { noAck: true },
    );
    publisher.sendToQueue(queue, Buffer.from(secret), { messageId: 'm1' });
    await waitFor(() => received !== undefined, 'the delivery');
    const got = await publisher.get(queue);
    expect(got).toBe(false);
    expect(received).toBe(secret);
    expect(tracing.spans().map((s) => s.name)).toEqual(
      expect.arrayContaining(['amqp:publish', 'amqp:consume', 'amqp:get']),
    );
    for (const span of tracing.spans()) {
      expect(JSON.stringify({ tags: span.tags, logs: span.logs })).not.toContain('4111111111111111');
    }
  });

  describe('confirm channels', () => {
    it('the span ends when the broker acks; the callback gets the same arguments in the caller context', async () => {
      const queue = await freshQueue();
      const channel: ConfirmChannel = await tracedAmqp(pubConnection).createConfirmChannel();
      expect(typeof channel.waitForConfirms).toBe('function');
      const parent = tracing.tracer.startSpan('parent');
      const outcome = await new Promise<{ args: unknown[]; current: Span | undefined; finishedBefore: number }>(
        (resolve) => {
          let finishedBefore = -1;
          spanInContext(parent, () => {
            channel.publish('', queue, Buffer.from('x'), { messageId: 'confirm-1' }, (...args: unknown[]) =>
              resolve({ args, current: getCurrentSpan(), finishedBefore }),
            );
            // The write returned, the broker has not confirmed yet: the span is still open.
            finishedBefore = tracing.named('amqp:publish').length;
          });
        },
      );
      parent.finish();
      expect(outcome.finishedBefore).toBe(0);
      expect(outcome.args[0]).toBeNull();
      expect(outcome.current).toBe(parent);
      const span = tracing.one('amqp:publish');
      expect(span.error).toBe(false);
      expectChildOf(span, idsOf(parent));

      // Without a callback: waitForConfirms still works and the span still ends on the ack.
      channel.sendToQueue(queue, Buffer.from('y'), { messageId: 'confirm-2' });
      expect(tracing.named('amqp:publish')).toHaveLength(1);
      await channel.waitForConfirms();
      expect(tracing.named('amqp:publish')).toHaveLength(2);
      tracing.expectAllFinishedOnce();
      await channel.close();
    });

    it('a nack is an error on the span and reaches the callback as amqplib gives it', async () => {
      // A full queue that rejects publishes makes the broker nack.
      const queue = await freshQueue({ maxLength: 1, arguments: { 'x-overflow': 'reject-publish' } });
      const channel = await tracedAmqp(pubConnection).createConfirmChannel();
      const results: unknown[] = [];
      await new Promise<void>((resolve) => {
        channel.sendToQueue(queue, Buffer.from('fits'), { messageId: 'n1' }, (error) => results.push(error));
        channel.sendToQueue(queue, Buffer.from('rejected'), { messageId: 'n2' }, (error) => {
          results.push(error);
          resolve();
        });
      });
      expect(results[0]).toBeNull();
      expect(results[1]).toBeInstanceOf(Error);
      expect((results[1] as Error).message).toBe('message nacked');
      const [ok, nacked] = ['n1', 'n2'].map(
        (id) => tracing.named('amqp:publish').find((s) => s.tags['amqp.message_id'] === id) as RecordedSpan,
      );
      expect(ok?.error).toBe(false);
      expect(nacked?.error).toBe(true);
      expect(errorLog(nacked as RecordedSpan)).toMatchObject({ 'exception.message': 'message nacked', event: 'error' });
      // waitForConfirms rejects as it does untraced.
      channel.sendToQueue(queue, Buffer.from('rejected too'));
      await expect(channel.waitForConfirms()).rejects.toThrow('message nacked');
      tracing.expectAllFinishedOnce();
      await channel.close();
    });
  });

  describe('handlers that fail', () => {
    it('a handler that throws: the span records it and amqplib gets the very error', async () => {
      const queue = await freshQueue();
      const consumer = await tracedAmqp(subConnection).createChannel();
      const boom = new Error('handler exploded');
      const reported = new Promise<unknown>((resolve) => consumer.on('handler-error', (error) => resolve(error)));
      await consumer.consume(
        queue,
        () => {
          throw boom;
        },
        { noAck: true },
      );
      const publisher = await tracedAmqp(pubConnection).createChannel();
      publisher.sendToQueue(queue, Buffer.from('x'));
      expect(await reported).toBe(boom);
      await waitFor(() => tracing.named('amqp:consume').length === 1, 'the consumer span');
      const span = tracing.one('amqp:consume');
      expect(span.error).toBe(true);
      expect(errorLog(span)).toMatchObject({ 'exception.message': 'handler exploded' });
      expectChildOf(span, tracing.one('amqp:publish'));
      await consumer.close();
    });

    it('a handler that rejects: the span records it and the rejection is not swallowed', async () => {
      const queue = await freshQueue();
      const consumer = await tracedAmqp(subConnection).createChannel();
      const boom = new Error('async handler failed');
      await consumer.consume(
        queue,
        async () => {
          await sleep(1);
          throw boom;
        },
        { noAck: true },
      );
      const publisher = await tracedAmqp(pubConnection).createChannel();
      const reason = await nextUnhandledRejection(() => publisher.sendToQueue(queue, Buffer.from('x')));
      expect(reason).toBe(boom);
      const span = tracing.one('amqp:consume');
      expect(span.error).toBe(true);
      expect(errorLog(span)).toMatchObject({ 'exception.message': 'async handler failed' });
      tracing.expectAllFinishedOnce();
      await consumer.close();
    });
  });

  it('redelivery after nack with requeue: each delivery is a span under the same producer span', async () => {
    const queue = await freshQueue();
    const consumer = await tracedAmqp(subConnection).createChannel();
    const deliveries: boolean[] = [];
    await consumer.consume(queue, (message) => {
      if (message === null) return;
      deliveries.push(message.fields.redelivered);
      if (!message.fields.redelivered) consumer.nack(message, false, true);
      else consumer.ack(message);
    });
    const publisher = await tracedAmqp(pubConnection).createChannel();
    publisher.sendToQueue(queue, Buffer.from('again'));
    await waitFor(() => tracing.named('amqp:consume').length === 2, 'two deliveries');
    expect(deliveries).toEqual([false, true]);
    const producer = tracing.one('amqp:publish');
    const spans = tracing.named('amqp:consume');
    expect(spans.map((s) => s.tags['amqp.redelivered'])).toEqual([false, true]);
    for (const span of spans) expectChildOf(span, producer);
    await consumer.close();
  });

  it("opentracing's no-op tracer: messages go out and arrive as sent, and the tracer is never asked to inject or extract", async () => {
    const queue = await freshQueue();
    const noop = new OpenTracingTracer();
    const asked: string[] = [];
    noop.inject = () => asked.push('inject');
    noop.extract = () => {
      asked.push('extract');
      return null;
    };
    const producer = await tracedAmqp(pubConnection, { tracer: noop }).createChannel();
    const consumer = await tracedAmqp(subConnection, { tracer: noop }).createChannel();
    const received: ConsumeMessage[] = [];
    await consumer.consume(queue, (message) => message && received.push(message), { noAck: true });
    producer.sendToQueue(queue, Buffer.from('one'), { headers: { 'x-app': '1' } });
    producer.publish('', queue, Buffer.from('two'));
    await waitFor(() => received.length === 2, 'two deliveries');
    expect(received.map((m) => [m.content.toString(), m.properties.headers])).toEqual([
      ['one', { 'x-app': '1' }],
      ['two', {}],
    ]);
    expect(asked).toEqual([]);
    expect(tracing.spans()).toHaveLength(0);
    await Promise.all([producer.close(), consumer.close()]);
  });

  it('messages from an untraced client start a new trace and are delivered as sent', async () => {
    const queue = await freshQueue();
    // A connection opened inside a span: its socket events run in that context, which must
    // not become the parent of deliveries.
    const ambient = tracing.tracer.startSpan('ambient');
    const connection = await spanInContext(ambient, () => amqp.connect(endpoints.amqp));
    ambient.finish();
    const consumer = await tracedAmqp(connection).createChannel();
    const received: ConsumeMessage[] = [];
    await consumer.consume(queue, (message) => message && received.push(message), { noAck: true });
    admin.sendToQueue(queue, Buffer.from('plain'));
    admin.sendToQueue(queue, Buffer.from('with headers'), { headers: { 'x-source': 'legacy' } });
    await waitFor(() => received.length === 2, 'two deliveries');
    expect(received.map((m) => m.content.toString())).toEqual(['plain', 'with headers']);
    expect(received[1]?.properties.headers).toEqual({ 'x-source': 'legacy' });
    const spans = tracing.named('amqp:consume');
    expect(spans).toHaveLength(2);
    for (const span of spans) expect(span.parentId).toBeUndefined();
    expect(spans[0]?.traceId).not.toBe(spans[1]?.traceId);
    expect(spans.map((s) => s.traceId)).not.toContain(tracing.one('ambient').traceId);
    expect(tracing.named('amqp:publish')).toHaveLength(0);
    await connection.close();
  });

  it('a tracer that throws everywhere never breaks publishing or consuming', async () => {
    const queue = await freshQueue();
    const faults: string[] = [];
    const broken = {
      startSpan() {
        throw new Error('startSpan broke');
      },
      inject() {
        throw new Error('inject broke');
      },
      extract() {
        throw new Error('extract broke');
      },
    } as unknown as Tracer;
    configure({ tracer: broken, onInstrumentationError: (_e, source) => faults.push(source) });
    const publisher = await tracedAmqp(pubConnection).createConfirmChannel();
    const consumer = await tracedAmqp(subConnection).createChannel();
    const received: string[] = [];
    await consumer.consume(queue, (m) => m && received.push(m.content.toString()), { noAck: true });
    publisher.sendToQueue(queue, Buffer.from('one'), { headers: { 'x-a': 'text' } });
    await publisher.waitForConfirms();
    // MockTracer (throws on inject) is no trouble either.
    configure({ tracer: new MockTracer() });
    publisher.sendToQueue(queue, Buffer.from('two'), { headers: { 'x-a': 'text' } });
    await publisher.waitForConfirms();
    await waitFor(() => received.length === 2, 'both deliveries');
    expect(received).toEqual(['one', 'two']);
    expect(new Set(faults)).toEqual(new Set(['tracer.startSpan', 'tracer.extract', 'tracer.inject']));
    await consumer.close();
    await publisher.close();
  });

  it('corrupt or foreign trace headers start a new trace and the message is delivered normally', async () => {
    const queue = await freshQueue();
    const consumer = await tracedAmqp(subConnection).createChannel();
    const faults: string[] = [];
    configure({ tracer: tracing.tracer, onInstrumentationError: (_e, source) => faults.push(source) });
    const corrupt: Record<string, unknown>[] = [
      { traceparent: 'garbage', tracestate: '%%%,,=' },
      { traceparent: '00-00000000000000000000000000000000-0000000000000000-01' },
      { traceparent: '00-0af7651916cd43dd8448eb211c80319c' },
      { traceparent: 12345 },
      { traceparent: Buffer.from([0xff, 0xfe, 0x00]) },
      { traceparent: ['00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'] },
      { 'uber-trace-id': 'abc:def:0:1', 'ot-tracer-traceid': 'zz' },
      { traceparent: 'x'.repeat(10_000) },
    ];
    const received: ConsumeMessage[] = [];
    await consumer.consume(queue, (message) => message && received.push(message), { noAck: true });
    for (const [i, headers] of corrupt.entries()) {
      admin.sendToQueue(queue, Buffer.from(`m${i}`), { headers });
    }
    await waitFor(() => received.length === corrupt.length, 'every delivery');
    expect(received.map((m) => m.content.toString())).toEqual(corrupt.map((_, i) => `m${i}`));
    const spans = tracing.named('amqp:consume');
    expect(spans).toHaveLength(corrupt.length);
    for (const span of spans) {
      expect(span.parentId).toBeUndefined();
      expect(span.error).toBe(false);
    }
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(corrupt.length);
    expect(faults.filter((f) => f !== 'tracer.extract')).toEqual([]);
  });

  it('1,000 messages, 50 concurrent handlers: every handler span nests under its own consumer span', async () => {
    const total = 1000;
    const concurrency = 50;
    const queue = await freshQueue();
    const publisher = await tracedAmqp(pubConnection).createChannel();
    for (let i = 0; i < total; i++) {
      const root = tracing.tracer.startSpan(`request-${i}`);
      spanInContext(root, () => publisher.sendToQueue(queue, Buffer.from(String(i)), { messageId: `m${i}` }));
      root.finish();
    }
    await waitFor(() => tracing.named('amqp:publish').length === total, 'every publish span');

    const consumer = await tracedAmqp(subConnection).createChannel();
    await consumer.prefetch(concurrency);
    let inFlight = 0;
    let maxInFlight = 0;
    let done = 0;
    let releaseGate: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      releaseGate = resolve;
    });
    const inner = tracedFunction(
      async (id: string) => {
        await sleep(Math.random() * 3);
        return id;
      },
      { name: 'inner', onStart: (span, id) => span.setTag('job.id', id) },
    );
    const handle = tracedFunction(
      async (message: ConsumeMessage) => {
        const id = message.properties.messageId as string;
        await sleep(Math.random() * 3);
        await inner(id);
        return id;
      },
      { name: 'handle', onStart: (span, message) => span.setTag('job.id', message.properties.messageId) },
    );
    await consumer.consume(queue, async (message) => {
      if (message === null) return;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // The first 50 wait for each other, proving 50 handlers really run at once.
      if (maxInFlight === concurrency) releaseGate();
      if (done === 0) await Promise.race([gate, sleep(10_000)]);
      await handle(message);
      inFlight--;
      done++;
      consumer.ack(message);
    });
    await waitFor(() => done === total, 'every message handled', 25_000);
    expect(maxInFlight).toBe(concurrency);

    const publishes = new Map(tracing.named('amqp:publish').map((s) => [s.tags['amqp.message_id'], s]));
    const handles = new Map(tracing.named('handle').map((s) => [s.tags['job.id'], s]));
    const inners = new Map(tracing.named('inner').map((s) => [s.tags['job.id'], s]));
    const consumes = tracing.named('amqp:consume');
    expect(consumes).toHaveLength(total);
    expect(handles.size).toBe(total);
    expect(inners.size).toBe(total);
    for (const consume of consumes) {
      const id = consume.tags['amqp.message_id'];
      const producer = publishes.get(id) as RecordedSpan;
      const handleSpan = handles.get(id) as RecordedSpan;
      const innerSpan = inners.get(id) as RecordedSpan;
      expectChildOf(consume, producer);
      expectChildOf(handleSpan, consume);
      expectChildOf(innerSpan, handleSpan);
    }
    tracing.expectAllFinishedOnce();
    await consumer.close();
    await publisher.close();
  }, 60_000);

  it('get is a span; ack, nack and reject work and are not spans by default', async () => {
    const queue = await freshQueue();
    const channel = await tracedAmqp(pubConnection).createChannel();
    channel.sendToQueue(queue, Buffer.from('1'), { messageId: 'g1' });
    channel.sendToQueue(queue, Buffer.from('2'), { messageId: 'g2' });
    await waitFor(() => tracing.named('amqp:publish').length === 2, 'the publishes');
    await sleep(50);
    const promise = channel.get(queue);
    expect(promise).toBeInstanceOf(Promise);
    const first = await promise;
    expect(first).not.toBe(false);
    channel.reject(first as amqp.GetMessage, true);
    const again = (await channel.get(queue)) as amqp.GetMessage;
    expect(again.fields.redelivered).toBe(true);
    channel.ack(again);
    const second = (await channel.get(queue)) as amqp.GetMessage;
    channel.nack(second, false, false);
    expect(await channel.get(queue)).toBe(false);
    const gets = tracing.named('amqp:get');
    expect(gets).toHaveLength(4);
    expect(gets[0]?.tags).toMatchObject({
      'span.kind': 'consumer',
      'amqp.queue': queue,
      'message_bus.destination': queue,
      'amqp.exchange': AMQP_DEFAULT_EXCHANGE,
      'amqp.routing_key': queue,
      'amqp.message_id': 'g1',
      'amqp.redelivered': false,
      'amqp.message_count': 1,
    });
    expect(gets[3]?.tags['amqp.empty']).toBe(true);
    expect(tracing.spans().filter((s) => /ack|reject/.test(s.name))).toEqual([]);
    await channel.close();
  });

  it('traceAcks makes ack/nack/reject spans under the consumer span', async () => {
    const queue = await freshQueue();
    const consumer = await tracedAmqp(subConnection, { traceAcks: true }).createChannel();
    let acked = false;
    await consumer.consume(queue, (message) => {
      if (message === null) return;
      consumer.ack(message);
      acked = true;
    });
    admin.sendToQueue(queue, Buffer.from('x'));
    await waitFor(() => acked && tracing.named('amqp:consume').length === 1, 'the delivery');
    const ack = tracing.one('amqp:ack');
    expectChildOf(ack, tracing.one('amqp:consume'));
    expect(ack.tags['amqp.delivery_tag']).toBe(1);
    await consumer.close();
  });

  it("reference: 'followsFrom' refers to the producer span without being its child", async () => {
    const queue = await freshQueue();
    const consumer = await tracedAmqp(subConnection, { reference: 'followsFrom' }).createChannel();
    await consumer.consume(queue, () => {}, { noAck: true });
    const publisher = await tracedAmqp(pubConnection).createChannel();
    publisher.sendToQueue(queue, Buffer.from('x'));
    await waitFor(() => tracing.named('amqp:consume').length === 1, 'the delivery');
    const consume = tracing.one('amqp:consume');
    const producer = tracing.one('amqp:publish');
    // The OpenTelemetry shim records a follows-from reference as a link.
    expect(consume.parentId).toBeUndefined();
    expect(consume.raw.links.map((l) => l.context.spanId)).toEqual([producer.spanId]);
    await consumer.close();
  });

  it('a null delivery (consumer cancelled by the broker) reaches the handler untouched', async () => {
    const queue = await freshQueue();
    const consumer = await tracedAmqp(subConnection).createChannel();
    const received: (ConsumeMessage | null)[] = [];
    const calls: unknown[][] = [];
    await consumer.consume(queue, (...args: unknown[]) => {
      calls.push(args);
      received.push(args[0] as ConsumeMessage | null);
    });
    await admin.deleteQueue(queue);
    await waitFor(() => received.length === 1, 'the cancel');
    expect(calls).toEqual([[null]]);
    expect(tracing.spans()).toEqual([]);
    await consumer.close();
  });

  it('assertQueue, assertExchange, bindQueue, prefetch, events and close work as before; drop-in rules hold', async () => {
    const connection = tracedAmqp(pubConnection);
    expect(tracedAmqp(connection)).toBe(connection);
    expect(untraced(connection)).toBe(pubConnection);
    const channel = await connection.createChannel();
    const raw = untraced(channel);
    expect(raw).not.toBe(channel);
    expect(channel.constructor).toBe(raw.constructor);
    expect(channel.publish).toBe(channel.publish);
    const name = uniqueName('tc_amqp_q');
    queues.push(name);
    const exchange = uniqueName('tc_amqp_x');
    exchanges.push(exchange);
    expect(await channel.assertQueue(name, { durable: false })).toMatchObject({ queue: name, messageCount: 0 });
    expect(await channel.assertExchange(exchange, 'fanout', { durable: false })).toEqual({ exchange });
    expect(await channel.bindQueue(name, exchange, '')).toEqual({});
    expect(await channel.prefetch(5)).toEqual({});
    const events: string[] = [];
    expect(channel.on('close', () => events.push('close'))).toBe(channel);
    await channel.close();
    expect(events).toEqual(['close']);
    // Invalid calls fail as untraced.
    expect(() => channel.publish(exchange, '', Buffer.from('late'))).toThrow(/closed/i);
    expect(tracing.named('amqp:publish')[0]?.error).toBe(true);
    expect(tracing.spans().map((s) => s.name)).toEqual(['amqp:publish']);
  });

  it('hooks and operationName see the call; requireParentSpan skips orphan publishes (no headers added)', async () => {
    const queue = await freshQueue();
    const seen: string[] = [];
    const channel = await tracedAmqp(pubConnection, {
      requireParentSpan: true,
      operationName: (info) => `rabbit:${info.operation}`,
      requestHook: (span, info) => {
        seen.push(`request:${info.operation}`);
        if (info.operation === 'publish') span.setTag('app.kind', String(info.options?.type));
      },
      responseHook: (_span, info) => {
        seen.push(`response:${info.operation}`);
      },
    }).createChannel();
    channel.sendToQueue(queue, Buffer.from('orphan'), { messageId: 'orphan' });
    const parent = tracing.tracer.startSpan('parent');
    spanInContext(parent, () => channel.sendToQueue(queue, Buffer.from('child'), { type: 'order' }));
    const orphan = await spanInContext(parent, () => channel.get(queue, { noAck: true }));
    expect((orphan as amqp.GetMessage).properties.headers).toEqual({});
    parent.finish();
    expect(tracing.named('rabbit:publish')).toHaveLength(1);
    expect(tracing.one('rabbit:publish').tags['app.kind']).toBe('order');
    expect(tracing.named('rabbit:get')).toHaveLength(1);
    expect(seen).toEqual(['request:publish', 'response:publish', 'request:get', 'response:get']);
  });

  it('a string operationName names every span; consumer spans are entry points that ignore requireParentSpan', async () => {
    const queue = await freshQueue();
    configure({ tracer: tracing.tracer, requireParentSpan: true });
    const options = { operationName: 'rabbit' };
    const publisher = await tracedAmqp(pubConnection, options).createChannel();
    const consumer = await tracedAmqp(subConnection, options).createChannel();
    let received = 0;
    await consumer.consume(queue, () => received++, { noAck: true });
    admin.sendToQueue(queue, Buffer.from('untraced'));
    const parent = tracing.tracer.startSpan('parent');
    spanInContext(parent, () => publisher.sendToQueue(queue, Buffer.from('traced')));
    parent.finish();
    await waitFor(() => received === 2, 'both deliveries');
    const spans = tracing.named('rabbit');
    expect(spans.map((s) => s.tags['span.kind']).sort()).toEqual(['consumer', 'consumer', 'producer']);
    const producer = spans.find((s) => s.tags['span.kind'] === 'producer') as RecordedSpan;
    const consumes = spans.filter((s) => s.tags['span.kind'] === 'consumer');
    expect(consumes.filter((s) => s.parentId === producer.spanId)).toHaveLength(1);
    expect(consumes.filter((s) => s.parentId === undefined)).toHaveLength(1);
    await consumer.close();
  });

  it('a recovering connection hands out traced channels too', async () => {
    const queue = await freshQueue();
    const recovering = await amqp.connect(endpoints.amqp, { recovery: { maxRetries: 0 } });
    const connection = tracedAmqp(recovering);
    const channel = await connection.createChannel();
    expect(isTraced(channel)).toBe(true);
    channel.sendToQueue(queue, Buffer.from('x'));
    expect(tracing.one('amqp:publish').tags['amqp.routing_key']).toBe(queue);
    await channel.close();
    await connection.close();
  });

  it('a channel can be wrapped directly (plain and confirm)', async () => {
    const queue = await freshQueue();
    const raw = await pubConnection.createConfirmChannel();
    const channel = tracedAmqp(raw);
    expect(tracedAmqp(channel)).toBe(channel);
    expect(untraced(channel)).toBe(raw);
    await new Promise<void>((resolve, reject) =>
      channel.sendToQueue(queue, Buffer.from('direct'), { messageId: 'd1' }, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
    const consumer = tracedAmqp(await subConnection.createChannel());
    let got: ConsumeMessage | null = null;
    await consumer.consume(queue, (message) => {
      got = message;
    });
    await waitFor(() => got !== null, 'the delivery');
    expectChildOf(tracing.one('amqp:consume'), tracing.one('amqp:publish'));
    await consumer.close();
    await channel.close();
  });
});
