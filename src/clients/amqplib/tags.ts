/**
 * The tags of amqplib spans, and how each is read from a call or a message. Message bodies
 * are never read: only their size.
 */
import type { Message } from 'amqplib';
import { capLength, TAG } from '../../core/index.js';

/** Tag names specific to AMQP, in the dotted style of the OpenTracing conventions. */
export const AMQP_TAG = {
  EXCHANGE: 'amqp.exchange',
  ROUTING_KEY: 'amqp.routing_key',
  QUEUE: 'amqp.queue',
  MESSAGE_ID: 'amqp.message_id',
  CORRELATION_ID: 'amqp.correlation_id',
  PAYLOAD_SIZE: 'amqp.payload_size',
  REDELIVERED: 'amqp.redelivered',
  DELIVERY_TAG: 'amqp.delivery_tag',
  CONSUMER_TAG: 'amqp.consumer_tag',
  MESSAGE_COUNT: 'amqp.message_count',
  /** `true` when `publish` returned `false`: the channel's write buffer is full, wait for `drain`. */
  BUFFER_FULL: 'amqp.buffer_full',
  /** `true` when `get` found the queue empty. */
  EMPTY: 'amqp.empty',
} as const;

/** How the nameless default exchange is shown, so the tag is never an empty string. */
export const AMQP_DEFAULT_EXCHANGE = '<default>';

/** Names, keys and ids are user strings; AMQP caps them at 255 bytes, we cap what we record. */
const MAX_NAME = 256;

type Tags = Record<string, string | number | boolean | undefined>;

// The tag builders never throw, whatever the caller passed (amqplib validates arguments
// itself and must be the one to fail): only strings and numbers are turned into text.
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : capLength(value, MAX_NAME);
  return typeof value === 'number' ? String(value) : undefined;
}

function size(content: unknown): number | undefined {
  return Buffer.isBuffer(content) ? content.length : undefined;
}

/** Tags of a publish: where it goes, which message, how big; never the body. */
export function publishTags(exchange: unknown, routingKey: unknown, content: unknown, options: unknown): Tags {
  const ex = text(exchange) ?? '';
  const key = text(routingKey);
  const props = options !== null && typeof options === 'object' ? (options as Record<string, unknown>) : undefined;
  return {
    // The default exchange routes by queue name, so the queue is the real destination.
    [TAG.MESSAGE_BUS_DESTINATION]: ex === '' ? key : text(ex),
    [AMQP_TAG.EXCHANGE]: ex === '' ? AMQP_DEFAULT_EXCHANGE : text(ex),
    [AMQP_TAG.ROUTING_KEY]: key,
    [AMQP_TAG.MESSAGE_ID]: text(props?.messageId),
    [AMQP_TAG.CORRELATION_ID]: text(props?.correlationId),
    [AMQP_TAG.PAYLOAD_SIZE]: size(content),
  };
}

/** Tags of a delivered message (`consume`) or a fetched one (`get`). */
export function messageTags(queue: unknown, message: Message): Tags {
  const fields: Partial<Message['fields']> = message.fields ?? {};
  const properties: Partial<Message['properties']> = message.properties ?? {};
  return {
    [TAG.MESSAGE_BUS_DESTINATION]: text(queue),
    [AMQP_TAG.QUEUE]: text(queue),
    [AMQP_TAG.EXCHANGE]: fields.exchange === '' ? AMQP_DEFAULT_EXCHANGE : text(fields.exchange),
    [AMQP_TAG.ROUTING_KEY]: text(fields.routingKey),
    [AMQP_TAG.REDELIVERED]: typeof fields.redelivered === 'boolean' ? fields.redelivered : undefined,
    [AMQP_TAG.DELIVERY_TAG]: typeof fields.deliveryTag === 'number' ? fields.deliveryTag : undefined,
    [AMQP_TAG.CONSUMER_TAG]: text(fields.consumerTag),
    [AMQP_TAG.MESSAGE_COUNT]: typeof fields.messageCount === 'number' ? fields.messageCount : undefined,
    [AMQP_TAG.MESSAGE_ID]: text(properties.messageId),
    [AMQP_TAG.CORRELATION_ID]: text(properties.correlationId),
    [AMQP_TAG.PAYLOAD_SIZE]: size(message.content),
  };
}

/** Tags of a `get` before the broker answers. */
export function queueTags(queue: unknown): Tags {
  const name = text(queue);
  return { [TAG.MESSAGE_BUS_DESTINATION]: name, [AMQP_TAG.QUEUE]: name };
}
