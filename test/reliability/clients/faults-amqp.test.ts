/**
 * Faults: RabbitMQ closes a channel (publish to a missing exchange: 404 NOT_FOUND) and a
 * connection is forced closed (its socket destroyed under it). The app sees what the raw
 * client gives (same return values, same error events), every span finishes once, no
 * unhandled rejection, and the app keeps serving on a new channel / connection.
 */
import * as amqplib from 'amqplib';
import { describe, expect } from 'vitest';
import { spanInContext, tracedAmqp } from '../../../src/index.js';
import { endpoints, serviceAvailable, uniqueName } from '../../helpers/services.js';
import { errorShape, faultBook, faultTracing, settle, sleep, startServing } from './lib/fault.js';

const SOURCE = 'faults: RabbitMQ';
const rig = faultTracing(SOURCE);
const fault = faultBook(SOURCE);
const available = await serviceAvailable('amqp');

/** Error events an emitter raised, with the messages normalised (names differ per run). */
function collect(emitter: { on(event: string, fn: (e: unknown) => void): unknown }, name: string): unknown[] {
  const seen: unknown[] = [];
  emitter.on('error', (e) => seen.push(errorShape(e)));
  emitter.on('close', () => seen.push(`${name} closed`));
  return seen;
}

const normalise = (events: unknown[], exchange: string) => JSON.parse(JSON.stringify(events).replaceAll(exchange, 'X'));

async function roundTrip(connection: amqplib.ChannelModel): Promise<string> {
  const channel = await connection.createChannel();
  const queue = uniqueName('rel');
  await channel.assertQueue(queue, { exclusive: true, autoDelete: true });
  channel.sendToQueue(queue, Buffer.from('ok'));
  let message: amqplib.GetMessage | false = false;
  for (let i = 0; i < 50 && message === false; i++) {
    message = await channel.get(queue, { noAck: true });
    if (message === false) await sleep(20);
  }
  await channel.close();
  return message === false ? 'nothing' : message.content.toString();
}

describe.runIf(available)('RabbitMQ faults', () => {
  fault(
    'publish to a missing exchange closes the channel: same return and events as raw, spans finished, serving',
    async () => {
      const exchange = uniqueName('missing');
      const run = async (connection: amqplib.ChannelModel) => {
        const channel = await connection.createChannel();
        const events = collect(channel, 'channel');
        const returned = channel.publish(exchange, 'rk', Buffer.from('body'));
        await sleep(300);
        return { returned, events: normalise(events, exchange) };
      };
      const rawConnection = await amqplib.connect(endpoints.amqp);
      const tracedConnection = tracedAmqp(await amqplib.connect(endpoints.amqp));
      const raw = await run(rawConnection);
      const parent = rig.tracing.tracer.startSpan('request');
      const traced = await spanInContext(parent, () => run(tracedConnection));
      parent.finish();
      expect(traced).toEqual(raw);
      expect(raw.events.length).toBeGreaterThan(0);

      const served = await startServing(() => roundTrip(tracedConnection));
      expect(await served.request()).toEqual({ status: 200, body: '"ok"' });
      await served.close();
      await rawConnection.close();
      await tracedConnection.close();
      const spans = await rig.settled(200);
      expect(spans.filter((s) => s.name === 'amqp:publish').length).toBeGreaterThanOrEqual(2);
    },
  );

  fault(
    'a confirm channel closed by the broker: the pending confirm fails as raw, the span records it once',
    async () => {
      const exchange = uniqueName('missing');
      const run = async (connection: amqplib.ChannelModel) => {
        const channel = await connection.createConfirmChannel();
        const events = collect(channel, 'channel');
        const confirmed = await new Promise<unknown>((resolve) =>
          channel.publish(exchange, 'rk', Buffer.from('body'), {}, (error) => resolve(errorShape(error))),
        );
        await sleep(200);
        return { confirmed: normalise([confirmed], exchange), events: normalise(events, exchange) };
      };
      const rawConnection = await amqplib.connect(endpoints.amqp);
      const tracedConnection = tracedAmqp(await amqplib.connect(endpoints.amqp));
      const raw = await run(rawConnection);
      const parent = rig.tracing.tracer.startSpan('request');
      const traced = await spanInContext(parent, () => run(tracedConnection));
      parent.finish();
      expect(traced).toEqual(raw);
      await rawConnection.close();
      await tracedConnection.close();
      const spans = await rig.settled(200);
      const publish = spans.filter((s) => s.name === 'amqp:publish');
      expect(publish).toHaveLength(1);
      expect(publish[0]?.error).toBe(true);
    },
  );

  fault(
    'a connection forced closed under a consumer and a pending confirm: same events as raw, spans finished, reconnect serves',
    async () => {
      const run = async (connection: amqplib.ChannelModel) => {
        const events = collect(connection, 'connection');
        const channel = await connection.createConfirmChannel();
        channel.on('error', () => {});
        const queue = uniqueName('rel');
        await channel.assertQueue(queue, { exclusive: true, autoDelete: true });
        await channel.consume(queue, (m) => m && channel.ack(m));
        const confirm = settle(
          new Promise<void>((resolve, reject) =>
            channel.sendToQueue(queue, Buffer.from('x'), {}, (error) => (error ? reject(error) : resolve())),
          ),
        );
        // Force-close: the socket fails under the connection as on a network reset. (A bare
        // `destroy()` or `resetAndDestroy()` raises no event amqplib listens to: measured.)
        const socket = (connection as unknown as { connection: { stream: { destroy(e: Error): void } } }).connection;
        socket.stream.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
        const confirmed = await confirm;
        await sleep(200);
        return { events, confirmedOk: confirmed.ok };
      };
      const raw = await run(await amqplib.connect(endpoints.amqp));
      const parent = rig.tracing.tracer.startSpan('request');
      const traced = await spanInContext(parent, async () => run(tracedAmqp(await amqplib.connect(endpoints.amqp))));
      parent.finish();
      expect(traced.events).toEqual(raw.events);
      expect(traced.confirmedOk).toBe(raw.confirmedOk);

      const fresh = tracedAmqp(await amqplib.connect(endpoints.amqp));
      const served = await startServing(() => roundTrip(fresh));
      expect(await served.request()).toEqual({ status: 200, body: '"ok"' });
      await served.close();
      await fresh.close();
      await rig.settled(200);
    },
  );
});
