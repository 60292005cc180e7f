/**
 * A traced channel (plain or confirm, promise or callback API): the method table. Every
 * other method and property (`assertQueue`, `bindQueue`, `prefetch`, `close`, `on`…) is the
 * channel's own.
 */
import { type MethodTable, tracedProxy } from '../../core/index.js';
import { ackWrapper } from './acks.js';
import { consumeWrapper, getWrapper } from './consumer.js';
import { channelInstruments } from './instruments.js';
import type { RawChannel } from './internal-types.js';
import { publishWrapper } from './producer.js';
import type { AmqpTracingOptions } from './types.js';

export function tracedChannel<T extends RawChannel>(channel: T, options: AmqpTracingOptions): T {
  const ins = channelInstruments(channel, options);
  const methods: MethodTable<RawChannel> = {
    publish: publishWrapper(ins, false),
    sendToQueue: publishWrapper(ins, true),
    consume: consumeWrapper(ins),
    get: getWrapper(ins),
    ...(ins.traceAcks
      ? {
          ack: ackWrapper(ins, 'amqp:ack', false),
          nack: ackWrapper(ins, 'amqp:nack', false),
          reject: ackWrapper(ins, 'amqp:reject', false),
          ackAll: ackWrapper(ins, 'amqp:ack', true),
          nackAll: ackWrapper(ins, 'amqp:nack', true),
        }
      : {}),
  };
  return tracedProxy(channel, methods as MethodTable<T>);
}
