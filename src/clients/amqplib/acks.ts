/**
 * `ack`, `nack`, `reject`, `ackAll`, `nackAll`: untouched by default; with `traceAcks`, sync
 * spans `amqp:ack|nack|reject` under the current span (inside a handler: the consumer span).
 */
import { type Instrumentation, type MethodWrapper, traceCall } from '../../core/index.js';
import { setTagSafely } from '../../core/span-ops.js';
import type { ChannelInstruments } from './instruments.js';
import type { RawChannel } from './internal-types.js';
import { AMQP_TAG } from './tags.js';

function deliveryTag(message: unknown): number | undefined {
  if (message === null || typeof message !== 'object') return undefined;
  const tag = (message as { fields?: { deliveryTag?: unknown } }).fields?.deliveryTag;
  return typeof tag === 'number' ? tag : undefined;
}

/** `ack(message, allUpTo?)`, `nack(message, allUpTo?, requeue?)`, `reject(message, requeue?)` and the `…All` forms. */
export function ackWrapper(ins: ChannelInstruments, operation: string, all: boolean): MethodWrapper<RawChannel> {
  return (original, target, proxy) =>
    function tracedAck(this: unknown, ...args: unknown[]): unknown {
      const receiver = ins.receiver;
      const span = receiver.start(operation);
      let result: unknown;
      if (span === undefined) result = Reflect.apply(original, target, args);
      else {
        if (!all) setTagSafely(span, AMQP_TAG.DELIVERY_TAG, deliveryTag(args[0]), receiver.onError);
        result = traceCall(receiver as Instrumentation, span, original, target, args, undefined, 'sync');
      }
      return result === target ? proxy : result;
    };
}
