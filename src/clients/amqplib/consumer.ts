/**
 * `consume` and `get`. Each delivery to a `consume` handler is a consumer span
 * `amqp:consume`: its parent is the producer's span context from the message headers (a new
 * trace when there is none or it is unreadable), it is the current span while the handler
 * runs, and it ends when the handler returns or its promise settles. `get` is a span
 * `amqp:get` under the current span, ending when the broker answers.
 */
import type { ConsumeMessage, GetMessage } from 'amqplib';
import type { Span } from 'opentracing';
import {
  type Instrumentation,
  type MethodWrapper,
  type Settlement,
  SpanSettler,
  settlementWith,
  traceCall,
} from '../../core/index.js';
import { runInSpan } from '../../core/run-in-span.js';
import { setTagSafely } from '../../core/span-ops.js';
import { extractFromHeaders } from './headers.js';
import { type ChannelInstruments, spanName, tracerOf } from './instruments.js';
import type { AnyMethod, RawChannel } from './internal-types.js';
import { AMQP_TAG, tagMessage, tagQueue } from './tags.js';
import type { AmqpConsumeInfo, AmqpGetInfo } from './types.js';

const CONSUME = 'amqp:consume';
const GET = 'amqp:get';

const HANDLER_SETTLEMENT: Settlement<unknown> = {};
const UNOBSERVED = { unobserved: true } as const;

function handlerSettlement(ins: ChannelInstruments, info: AmqpConsumeInfo | undefined): Settlement<unknown> {
  if (info === undefined || !ins.hasResponseHook) return HANDLER_SETTLEMENT;
  return { responseInfo: (result) => ({ operation: 'consume', request: info, result }) };
}

/**
 * The user's `onMessage`, traced. `null` (the broker cancelled the consumer) and anything
 * that is not a message go to the handler untouched. The handler's throw or rejection is
 * recorded and surfaces exactly as without tracing (amqplib's `handler-error` event or an
 * uncaught exception; an `unhandledRejection`).
 */
function tracedHandler(ins: ChannelInstruments, queue: string, onMessage: AnyMethod): AnyMethod {
  return function tracedOnMessage(this: unknown, message: ConsumeMessage | null): unknown {
    if (message === null || typeof message !== 'object') return Reflect.apply(onMessage, this, [message]);
    const consumer = ins.consumer;
    // Nothing will be recorded: the headers are not even read.
    if (consumer.hasNoopTracer()) return Reflect.apply(onMessage, this, [message]);
    const parent = extractFromHeaders(tracerOf(consumer), message.properties?.headers, consumer.onError);
    const info: AmqpConsumeInfo | undefined = ins.needsInfo ? { operation: 'consume', queue, message } : undefined;
    const span = consumer.start(spanName(ins, consumer, CONSUME, info), undefined, {
      parent: parent ?? null,
      followsFrom: ins.followsFrom,
    });
    if (span === undefined) return Reflect.apply(onMessage, this, [message]);
    tagMessage(span, queue, message, consumer.onError);
    if (info !== undefined) consumer.requestHook(span, info);
    const settler = new SpanSettler(consumer as Instrumentation, span, handlerSettlement(ins, info));
    return runInSpan(settler, onMessage, this, [message], UNOBSERVED);
  };
}

/** `consume(queue, onMessage, options?, callback?)`: the handler is traced, the rest is as given. */
export function consumeWrapper(ins: ChannelInstruments): MethodWrapper<RawChannel> {
  return (original, target, proxy) =>
    function tracedConsume(this: unknown, ...args: unknown[]): unknown {
      const onMessage = args[1];
      let callArgs = args;
      if (typeof onMessage === 'function') {
        callArgs = args.slice();
        callArgs[1] = tracedHandler(ins, typeof args[0] === 'string' ? args[0] : '', onMessage as AnyMethod);
      }
      const result: unknown = Reflect.apply(original, target, callArgs);
      // The callback API returns the channel itself: keep chains on the traced one.
      return result === target ? proxy : result;
    };
}

const GET_SETTLEMENT: Settlement<unknown> = {
  onSuccess: (span: Span, message: unknown) => {
    if (message === false) setTagSafely(span, AMQP_TAG.EMPTY, true);
    // The callback API called without a callback returns the channel: nothing to read.
    else if (message !== null && typeof message === 'object' && 'fields' in message) {
      tagMessage(span, undefined, message as GetMessage, undefined);
    }
  },
};

function getSettlement(ins: ChannelInstruments, info: AmqpGetInfo | undefined): Settlement<unknown> {
  if (info === undefined || !ins.hasResponseHook) return GET_SETTLEMENT;
  return settlementWith(GET_SETTLEMENT, {
    responseInfo: (message) => ({ operation: 'get', request: info, message: message as GetMessage | false }),
  });
}

/** `get(queue, options?, callback?)`: promise or callback, both settle the span. */
export function getWrapper(ins: ChannelInstruments): MethodWrapper<RawChannel> {
  return (original, target, proxy) =>
    function tracedGet(this: unknown, ...args: unknown[]): unknown {
      const receiver = ins.receiver;
      const info: AmqpGetInfo | undefined = ins.needsInfo
        ? { operation: 'get', queue: args[0] as string, options: args[1] as AmqpGetInfo['options'] }
        : undefined;
      const span = receiver.start(spanName(ins, receiver, GET, info));
      let result: unknown;
      if (span === undefined) result = Reflect.apply(original, target, args);
      else {
        tagQueue(span, args[0], receiver.onError);
        if (info !== undefined) receiver.requestHook(span, info);
        result = traceCall(receiver as Instrumentation, span, original, target, args, getSettlement(ins, info));
      }
      return result === target ? proxy : result;
    };
}
