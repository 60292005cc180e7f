/**
 * amqplib (promise API): publish → consume round trips through a private queue on the local
 * RabbitMQ, sequential and 64 in flight. One op = `sendToQueue` on one connection until the
 * consumer (no-ack, its own connection) receives that message: two spans per op when traced
 * (`amqp:publish` and `amqp:consume`), and two hand-made ones in `span-floor` (context
 * injected into the message headers and extracted from them, as any correct wrapper must).
 */
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { Tags } from 'opentracing';
import { endpoints, uniqueName } from '../../test/helpers/services.js';
import { tracedAmqpWith } from '../traced/amqp.js';
import { clientTags } from './floor-tags.js';
import { type FloorSpans, type Scenario, tracedFactory, type Workload } from './types.js';

const twoSpans = { traced: 2, 'span-floor': 2, otel: 2 } as const;
const scenarios: Scenario[] = [
  { name: 'seq', concurrency: 1, title: 'amqplib publish → consume round trip, sequential', expectedSpans: twoSpans },
  {
    name: 'c64',
    concurrency: 64,
    title: 'amqplib publish → consume round trip, 64 in flight',
    expectedSpans: twoSpans,
  },
];

/** What the floor publishes through: a raw channel, or a stand-in of one. */
interface QueueSender {
  sendToQueue(
    queue: string,
    content: Buffer,
    options: { correlationId?: string; headers: Record<string, string> },
  ): unknown;
}

/**
 * The floor's spans of round trips through `queue` by the default exchange, with the design's
 * tags: a producer span around each publish, its context injected into the message headers,
 * and a consumer span around each delivery, its parent extracted from them (as any correct
 * wrapper must). Shared by this workload and `warm.ts`.
 */
export function amqpFloor(floor: FloorSpans, queue: string) {
  const route = {
    [Tags.MESSAGE_BUS_DESTINATION]: queue,
    'amqp.exchange': '<default>',
    'amqp.routing_key': queue,
  };
  const publishTags = clientTags('amqplib', route, Tags.SPAN_KIND_MESSAGING_PRODUCER);
  const consumeTags = clientTags('amqplib', { ...route, 'amqp.queue': queue }, Tags.SPAN_KIND_MESSAGING_CONSUMER);
  return {
    /** `sendToQueue(queue, content)` inside a producer span. */
    publish(channel: QueueSender, content: Buffer, correlationId?: string): void {
      const span = floor.startSpan('amqp:publish', publishTags);
      const headers: Record<string, string> = {};
      floor.inject(span, headers);
      channel.sendToQueue(queue, content, { correlationId, headers });
      span.finish();
    },
    /** `deliver` as a consumer callback, each delivery inside a consumer span. */
    consumer(deliver: (message: ConsumeMessage | null) => void): (message: ConsumeMessage | null) => void {
      return (message) => {
        const span = floor.startSpan('amqp:consume', consumeTags, floor.extract(message?.properties.headers));
        deliver(message);
        span.finish();
      };
    },
  };
}

export const amqp: Workload = {
  name: 'amqplib',
  service: 'amqp',
  scenarios,
  async otel() {
    const { AmqplibInstrumentation } = await import('@opentelemetry/instrumentation-amqplib');
    return [new AmqplibInstrumentation()];
  },
  async setup(context) {
    const { floor } = context;
    const wrap = await tracedFactory(context, tracedAmqpWith);
    const amqplib = context.require('amqplib') as typeof import('amqplib');
    const rawPublisher: ChannelModel = await amqplib.connect(endpoints.amqp);
    const rawConsumer: ChannelModel = await amqplib.connect(endpoints.amqp);
    const publisher = wrap ? wrap(rawPublisher) : rawPublisher;
    const consumer = wrap ? wrap(rawConsumer) : rawConsumer;
    const out: Channel = await publisher.createChannel();
    const inbox: Channel = await consumer.createChannel();
    const queue = uniqueName('bench.amqp');
    // autoDelete: RabbitMQ drops the queue with its consumer even if this process dies mid-run.
    await inbox.assertQueue(queue, { durable: false, autoDelete: true });

    const spans = floor === undefined ? undefined : amqpFloor(floor, queue);
    const waiting = new Map<string, () => void>();
    const deliver = (message: ConsumeMessage | null) => {
      const id = message?.properties.correlationId as string | undefined;
      if (id === undefined) return;
      const done = waiting.get(id);
      waiting.delete(id);
      done?.();
    };
    await inbox.consume(queue, spans === undefined ? deliver : spans.consumer(deliver), { noAck: true });

    const body = Buffer.from('x'.repeat(64));
    let next = 0;
    const op = () =>
      new Promise<void>((resolve) => {
        const id = String(next++);
        waiting.set(id, resolve);
        if (spans === undefined) out.sendToQueue(queue, body, { correlationId: id });
        else spans.publish(out, body, id);
      });
    return {
      op,
      floorHandled: true,
      async close() {
        await inbox.deleteQueue(queue);
        await rawPublisher.close();
        await rawConsumer.close();
      },
    };
  },
};
