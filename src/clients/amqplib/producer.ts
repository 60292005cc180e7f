/**
 * `publish` and `sendToQueue`: producer spans `amqp:publish`, with the span context injected
 * into the message headers. On a plain channel the span ends when the write returns; on a
 * confirm channel when the broker acks (or nacks: an error) the message.
 */
import type { Span } from 'opentracing';
import {
  type Instrumentation,
  type MethodWrapper,
  type Settlement,
  settlementWith,
  traceCall,
} from '../../core/index.js';
import { setTagSafely } from '../../core/span-ops.js';
import { withTraceHeaders } from './headers.js';
import type { ChannelInstruments } from './instruments.js';
import { spanName, tracerOf } from './instruments.js';
import type { RawChannel } from './internal-types.js';
import { AMQP_TAG, tagPublish } from './tags.js';
import type { AmqpPublishInfo, AmqpResponseInfo } from './types.js';

const OPERATION = 'amqp:publish';

// Settles a confirm channel's span when the user passed no callback of their own. amqplib
// treats "no callback" and a callback alike (it only calls it), so adding one changes nothing.
const noop = (): void => {};

/** Plain channel: the result is the write's flow-control boolean. */
const WRITE_SETTLEMENT: Settlement<unknown> = {
  onSuccess: (span: Span, written: unknown) => {
    if (written === false) setTagSafely(span, AMQP_TAG.BUFFER_FULL, true);
  },
};

/** Confirm channel: the result is the broker's (empty) confirm. */
const CONFIRM_SETTLEMENT: Settlement<unknown> = {};

function settlementFor(ins: ChannelInstruments, info: AmqpPublishInfo | undefined): Settlement<unknown> {
  const base = ins.confirm ? CONFIRM_SETTLEMENT : WRITE_SETTLEMENT;
  if (info === undefined || !ins.hasResponseHook) return base;
  const response: AmqpResponseInfo = { operation: 'publish', request: info, confirmed: ins.confirm };
  return settlementWith(base, { responseInfo: () => response });
}

/**
 * The wrapper of `publish(exchange, routingKey, content, options?, callback?)` (`toQueue`
 * false) or `sendToQueue(queue, content, options?, callback?)` (`toQueue` true).
 */
export function publishWrapper(ins: ChannelInstruments, toQueue: boolean): MethodWrapper<RawChannel> {
  const optionsAt = toQueue ? 2 : 3;
  const callbackAt = optionsAt + 1;
  const style = ins.confirm ? 'auto' : 'sync';
  return (original, target) =>
    function tracedPublish(this: unknown, ...args: unknown[]): unknown {
      const producer = ins.producer;
      // Nothing will be recorded: no argument reading, no publish info.
      if (producer.hasNoopTracer()) return Reflect.apply(original, target, args);
      const exchange = toQueue ? '' : args[0];
      const routingKey = toQueue ? args[0] : args[1];
      const content = args[optionsAt - 1];
      const options = args[optionsAt];
      const info: AmqpPublishInfo | undefined = ins.needsInfo
        ? {
            operation: 'publish',
            exchange: exchange as string,
            routingKey: routingKey as string,
            content: content as Buffer,
            options: options as AmqpPublishInfo['options'],
          }
        : undefined;
      const span = producer.start(spanName(ins, producer, OPERATION, info));
      if (span === undefined) return Reflect.apply(original, target, args);
      // Tags only once we know something is recorded.
      tagPublish(span, exchange, routingKey, content, options, producer.onError);
      if (info !== undefined) producer.requestHook(span, info);
      // After the hooks, so no hook can tamper with the propagated context.
      const callArgs = args.slice();
      callArgs[optionsAt] = withTraceHeaders(tracerOf(producer), span, options, producer.onError);
      if (ins.confirm && typeof callArgs[callbackAt] !== 'function') callArgs[callbackAt] = noop;
      const settlement = settlementFor(ins, info);
      const written = traceCall(producer as Instrumentation, span, original, target, callArgs, settlement, style);
      // On a confirm channel the span is still open (the broker has not answered yet).
      if (ins.confirm && written === false) setTagSafely(span, AMQP_TAG.BUFFER_FULL, true, producer.onError);
      return written;
    };
}
