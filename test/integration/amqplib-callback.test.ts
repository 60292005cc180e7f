/**
 * tracedAmqp with amqplib's callback API (`amqplib/callback_api`) against the real RabbitMQ.
 */

import * as amqpCb from 'amqplib/callback_api';
import type { Span } from 'opentracing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tracedAmqp } from '../../src/amqplib.js';
import { getCurrentSpan, spanInContext } from '../../src/context/index.js';
import { configure, isTraced, resetConfig, tracedFunction, untraced } from '../../src/core/index.js';
import { endpoints, serviceAvailable, uniqueName } from '../helpers/services.js';
import { createTestTracing, expectChildOf, idsOf } from '../helpers/tracing.js';
import { sleep, waitFor } from '../helpers/wait.js';

const available = await serviceAvailable('amqp');
const tracing = createTestTracing();

function connect(): Promise<amqpCb.Connection> {
  return new Promise((resolve, reject) =>
    amqpCb.connect(endpoints.amqp, (error, connection) => (error ? reject(error) : resolve(connection))),
  );
}

/** Calls a callback-API method and resolves with its callback's arguments. */
function callback<T>(call: (cb: (error: Error | null, value: T) => void) => unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    call((error, value) => (error ? reject(error) : resolve(value)));
  });
}

describe.runIf(available)('tracedAmqp, callback API, real RabbitMQ', () => {
  let pubConnection: amqpCb.Connection;
  let subConnection: amqpCb.Connection;
  const queues: string[] = [];

  beforeAll(async () => {
    pubConnection = await connect();
    subConnection = await connect();
  });

  afterAll(async () => {
    let cleaner = await callback<amqpCb.Channel>((cb) => pubConnection.createChannel(cb));
    for (const queue of queues) {
      try {
        await callback((cb) => cleaner.deleteQueue(queue, {}, cb));
      } catch {
        cleaner = await callback<amqpCb.Channel>((cb) => pubConnection.createChannel(cb));
      }
    }
    await callback<void>((cb) => cleaner.close(cb as (error: Error) => void));
    await callback<void>((cb) => pubConnection.close(cb as (error: Error) => void));
    await callback<void>((cb) => subConnection.close(cb as (error: Error) => void));
  });

  beforeEach(() => {
    tracing.reset();
    configure({ tracer: tracing.tracer });
  });
  afterEach(() => resetConfig());

  it('createChannel and createConfirmChannel hand out the same traced channel by return value and callback', async () => {
    const connection = tracedAmqp(pubConnection);
    let returned: amqpCb.Channel | undefined;
    const fromCallback = await callback<amqpCb.Channel>((cb) => {
      returned = connection.createChannel(cb);
    });
    expect(isTraced(fromCallback)).toBe(true);
    expect(fromCallback).toBe(returned);
    let returnedConfirm: amqpCb.ConfirmChannel | undefined;
    const confirm = await callback<amqpCb.ConfirmChannel>((cb) => {
      returnedConfirm = connection.createConfirmChannel({}, cb);
    });
    expect(isTraced(confirm)).toBe(true);
    expect(confirm).toBe(returnedConfirm);
    expect(untraced(confirm)).not.toBe(confirm);
    await callback<void>((cb) => fromCallback.close(cb as (error: Error) => void));
    await callback<void>((cb) => confirm.close(cb as (error: Error) => void));
  });

  it('publish on a confirm channel, consume on another connection: parent-child, nested calls, callbacks in context', async () => {
    const queue = uniqueName('tc_amqp_cb_q');
    queues.push(queue);
    const publisher = await callback<amqpCb.ConfirmChannel>((cb) => tracedAmqp(pubConnection).createConfirmChannel(cb));
    const consumer = await callback<amqpCb.Channel>((cb) => tracedAmqp(subConnection).createChannel(cb));
    const declared = await callback<amqpCb.Replies.AssertQueue>((cb) => {
      // The callback API returns the channel: chains stay on the traced one.
      expect(consumer.assertQueue(queue, { durable: false, expires: 300_000 }, cb)).toBe(consumer);
    });
    expect(declared.queue).toBe(queue);

    const work = tracedFunction((id: string) => id.toUpperCase(), { name: 'work' });
    const handled: { current: Span | undefined; result: string }[] = [];
    let consumeReturned: unknown;
    const ok = await callback<amqpCb.Replies.Consume>((cb) => {
      consumeReturned = consumer.consume(
        queue,
        (message) => {
          if (message === null) return;
          handled.push({ current: getCurrentSpan(), result: work(String(message.properties.messageId)) });
          consumer.ack(message);
        },
        {},
        cb,
      );
    });
    expect(consumeReturned).toBe(consumer);
    expect(typeof ok.consumerTag).toBe('string');

    const parent = tracing.tracer.startSpan('parent');
    const confirmed = await new Promise<{ args: unknown[]; current: Span | undefined }>((resolve) =>
      spanInContext(parent, () =>
        publisher.sendToQueue(queue, Buffer.from('hello'), { messageId: 'cb-1' }, (...args: unknown[]) =>
          resolve({ args, current: getCurrentSpan() }),
        ),
      ),
    );
    parent.finish();
    expect(confirmed.args[0]).toBeNull();
    expect(confirmed.current).toBe(parent);
    await waitFor(() => handled.length === 1, 'the delivery');

    const producer = tracing.one('amqp:publish');
    const consume = tracing.one('amqp:consume');
    expectChildOf(producer, idsOf(parent));
    expectChildOf(consume, producer);
    expect(handled[0]?.result).toBe('CB-1');
    expect(handled[0]?.current && idsOf(handled[0].current)).toEqual({
      traceId: consume.traceId,
      spanId: consume.spanId,
    });
    expectChildOf(tracing.one('work'), consume);
    tracing.expectAllFinishedOnce();
    await callback<void>((cb) => consumer.close(cb as (error: Error) => void));
    await callback<void>((cb) => publisher.close(cb as (error: Error) => void));
  });

  it('get with a callback is a span settled by the callback, which runs in the caller context', async () => {
    const queue = uniqueName('tc_amqp_cb_q');
    queues.push(queue);
    const channel = await callback<amqpCb.Channel>((cb) => tracedAmqp(pubConnection).createChannel(cb));
    await callback((cb) => channel.assertQueue(queue, { durable: false, expires: 300_000 }, cb));
    expect(channel.sendToQueue(queue, Buffer.from('x'), { messageId: 'g-cb' })).toBe(true);
    await sleep(50);
    const parent = tracing.tracer.startSpan('parent');
    const [message, current] = await new Promise<[amqpCb.GetMessage | false, Span | undefined]>((resolve, reject) =>
      spanInContext(parent, () =>
        channel.get(queue, { noAck: true }, (error, got) => (error ? reject(error) : resolve([got, getCurrentSpan()]))),
      ),
    );
    parent.finish();
    expect(message).not.toBe(false);
    expect(current).toBe(parent);
    const get = tracing.one('amqp:get');
    expectChildOf(get, idsOf(parent));
    expect(get.tags).toMatchObject({ 'amqp.queue': queue, 'amqp.message_id': 'g-cb' });
    const publish = tracing.one('amqp:publish');
    expect((message as amqpCb.GetMessage).properties.headers?.traceparent).toContain(publish.spanId);
    await callback<void>((cb) => channel.close(cb as (error: Error) => void));
  });
});
