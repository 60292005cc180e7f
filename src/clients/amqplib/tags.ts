/**
 * The tags of amqplib spans, and how each is read from a call or a message. Message bodies
 * are never read: only their size.
 */
import type { Message } from 'amqplib';
import type { Span } from 'opentracing';
import { capLength, type InstrumentationErrorHandler, TAG } from '../../core/index.js';
import { setTagSafely } from '../../core/span-ops.js';

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

// The taggers never throw, whatever the caller passed (amqplib validates arguments
// itself and must be the one to fail): only strings and numbers are turned into text.
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : capLength(value, MAX_NAME);
  return typeof value === 'number' ? String(value) : undefined;
}

function size(content: unknown): number | undefined {
  return Buffer.isBuffer(content) ? content.length : undefined;
}

/**
 * Tags a publish: where it goes, which message, how big; never the body. Each tag goes
 * straight to the span (no intermediate object): a round trip sets ~11 of them, on every
 * message.
 */
export function tagPublish(
  span: Span,
  exchange: unknown,
  routingKey: unknown,
  content: unknown,
  options: unknown,
  onError: InstrumentationErrorHandler | undefined,
): void {
  const ex = text(exchange) ?? '';
  const key = text(routingKey);
  // The default exchange routes by queue name, so the queue is the real destination.
  setTagSafely(span, TAG.MESSAGE_BUS_DESTINATION, ex === '' ? key : ex, onError);
  setTagSafely(span, AMQP_TAG.EXCHANGE, ex === '' ? AMQP_DEFAULT_EXCHANGE : ex, onError);
  setTagSafely(span, AMQP_TAG.ROUTING_KEY, key, onError);
  if (options !== null && typeof options === 'object') {
    const props = options as Record<string, unknown>;
    setTagSafely(span, AMQP_TAG.MESSAGE_ID, text(props.messageId), onError);
    setTagSafely(span, AMQP_TAG.CORRELATION_ID, text(props.correlationId), onError);
  }
  setTagSafely(span, AMQP_TAG.PAYLOAD_SIZE, size(content), onError);
}

/** Tags a delivered message (`consume`, with its queue) or a fetched one (`get`, queue `undefined`). */
export function tagMessage(
  span: Span,
  queue: unknown,
  message: Message,
  onError: InstrumentationErrorHandler | undefined,
): void {
  const name = text(queue);
  setTagSafely(span, TAG.MESSAGE_BUS_DESTINATION, name, onError);
  setTagSafely(span, AMQP_TAG.QUEUE, name, onError);
  const fields: Partial<Message['fields']> | undefined = message.fields;
  if (fields !== null && typeof fields === 'object') {
    setTagSafely(
      span,
      AMQP_TAG.EXCHANGE,
      fields.exchange === '' ? AMQP_DEFAULT_EXCHANGE : text(fields.exchange),
      onError,
    );
    setTagSafely(span, AMQP_TAG.ROUTING_KEY, text(fields.routingKey), onError);
    if (typeof fields.redelivered === 'boolean') setTagSafely(span, AMQP_TAG.REDELIVERED, fields.redelivered, onError);
    if (typeof fields.deliveryTag === 'number') setTagSafely(span, AMQP_TAG.DELIVERY_TAG, fields.deliveryTag, onError);
    setTagSafely(span, AMQP_TAG.CONSUMER_TAG, text(fields.consumerTag), onError);
    if (typeof fields.messageCount === 'number') {
      setTagSafely(span, AMQP_TAG.MESSAGE_COUNT, fields.messageCount, onError);
    }
  }
  const properties: Partial<Message['properties']> | undefined = message.properties;
  if (properties !== null && typeof properties === 'object') {
    setTagSafely(span, AMQP_TAG.MESSAGE_ID, text(properties.messageId), onError);
    setTagSafely(span, AMQP_TAG.CORRELATION_ID, text(properties.correlationId), onError);
  }
  setTagSafely(span, AMQP_TAG.PAYLOAD_SIZE, size(message.content), onError);
}

/** Tags a `get` before the broker answers. */
export function tagQueue(span: Span, queue: unknown, onError: InstrumentationErrorHandler | undefined): void {
  const name = text(queue);
  setTagSafely(span, TAG.MESSAGE_BUS_DESTINATION, name, onError);
  setTagSafely(span, AMQP_TAG.QUEUE, name, onError);
}
