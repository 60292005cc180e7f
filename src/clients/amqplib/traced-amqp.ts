import type * as Amqp from 'amqplib';
import type * as AmqpCallback from 'amqplib/callback_api';
import { isTraced } from '../../core/index.js';
import { tracedChannel } from './channel.js';
import { isChannel, tracedConnection } from './connection.js';
import type { RawConnection } from './internal-types.js';
import type { AmqpTracingOptions } from './types.js';

/** What {@link tracedAmqp} accepts: a connection or a channel of amqplib's promise or callback API. */
export type AmqpTraceable =
  | Amqp.ChannelModel
  | Amqp.RecoveringChannelModel
  | Amqp.Channel
  | AmqpCallback.Connection
  | AmqpCallback.RecoveringConnection
  | AmqpCallback.Channel;

function isConnection(value: unknown): value is RawConnection {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as RawConnection).createChannel === 'function' &&
    typeof (value as RawConnection).createConfirmChannel === 'function'
  );
}

/**
 * Traces an amqplib connection or channel, from `amqplib` (promises) or
 * `amqplib/callback_api`, and returns a drop-in of the same type.
 *
 * - `publish` / `sendToQueue` are producer spans `amqp:publish`; the span context travels in
 *   the message headers (the caller's `options` and `headers` objects are never changed and
 *   a header the caller set is never overwritten). On a confirm channel the span ends when
 *   the broker confirms (an error on nack).
 * - each delivery to a `consume` handler is a consumer span `amqp:consume`, a child of the
 *   producer span, current while the handler runs (sync or async).
 * - `get` is a span `amqp:get`. Channels from `createChannel()` / `createConfirmChannel()`
 *   of a traced connection are traced.
 *
 * @example
 * import amqp from 'amqplib';
 * import { tracedAmqp } from 'traced-clients/amqplib';
 *
 * const connection = tracedAmqp(await amqp.connect('amqp://localhost'));
 * const channel = await connection.createChannel();
 * channel.sendToQueue('tasks', Buffer.from('work'));          // span amqp:publish
 * await channel.consume('tasks', async (msg) => {             // span amqp:consume per message
 *   if (msg === null) return;
 *   await db.query('UPDATE …');                               // a child of amqp:consume
 *   channel.ack(msg);
 * });
 */
export function tracedAmqp<T extends AmqpTraceable>(connectionOrChannel: T, options: AmqpTracingOptions = {}): T {
  const target: unknown = connectionOrChannel;
  if (isTraced(target)) return connectionOrChannel;
  if (isChannel(target)) return tracedChannel(target, options) as unknown as T;
  if (isConnection(target)) return tracedConnection(target, options) as unknown as T;
  throw new TypeError(
    'tracedAmqp expects an amqplib connection (from connect()) or channel (from createChannel()), got ' +
      (target === null ? 'null' : typeof target),
  );
}
