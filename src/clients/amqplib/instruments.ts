/**
 * Everything a traced channel decides once, when it is wrapped: one `Instrumentation` per
 * span kind (the kind is a start tag shared by every span of an instrumentation), the peer
 * tags of the broker connection, whether this is a confirm channel, and whether calls need
 * an info object at all (only when the user gave a hook or an operation-name function).
 */
import { isIP } from 'node:net';
import type { Tracer } from 'opentracing';
import { getConfig, guard, Instrumentation, SPAN_KIND, TAG, type TagMap } from '../../core/index.js';
import { resolveTracer } from '../../core/span-ops.js';
import type { RawChannel } from './internal-types.js';
import type { AmqpRequestInfo, AmqpResponseInfo, AmqpTracingOptions } from './types.js';

export const COMPONENT = 'amqplib';

export type AmqpInstrumentation = Instrumentation<AmqpRequestInfo, AmqpResponseInfo>;

export interface ChannelInstruments {
  /** `amqp:publish` spans. */
  readonly producer: AmqpInstrumentation;
  /**
   * `amqp:consume` spans. A delivery is where work starts (like an inbound request), and its
   * parent comes from the message, so `requireParentSpan` does not apply to it.
   */
  readonly consumer: AmqpInstrumentation;
  /** `amqp:get` spans and, with `traceAcks`, `amqp:ack|nack|reject`. */
  readonly receiver: AmqpInstrumentation;
  readonly confirm: boolean;
  readonly followsFrom: boolean;
  readonly traceAcks: boolean;
  /** Build info objects per call only when a hook or an operation-name function reads them. */
  readonly needsInfo: boolean;
  readonly hasResponseHook: boolean;
  /** The user's fixed operation name, when `operationName` is a string. */
  readonly fixedName: string | undefined;
}

/** The broker's address as the channel's socket sees it; read once per channel. */
function peerTags(channel: RawChannel): TagMap {
  const stream = channel.connection?.stream;
  const address = stream?.remoteAddress;
  return {
    [isIP(address ?? '') === 6 ? TAG.PEER_HOST_IPV6 : TAG.PEER_HOST_IPV4]: address,
    [TAG.PEER_PORT]: stream?.remotePort,
  };
}

export function channelInstruments(channel: RawChannel, options: AmqpTracingOptions): ChannelInstruments {
  const fixedTags = guard(`tags.${COMPONENT}`, () => peerTags(channel), options.onInstrumentationError);
  const make = (spanKind: (typeof SPAN_KIND)[keyof typeof SPAN_KIND], opts: AmqpTracingOptions) =>
    new Instrumentation<AmqpRequestInfo, AmqpResponseInfo>({
      component: COMPONENT,
      spanKind,
      fixedTags,
      options: opts,
    });
  return {
    producer: make(SPAN_KIND.PRODUCER, options),
    consumer: make(SPAN_KIND.CONSUMER, { ...options, requireParentSpan: false }),
    receiver: make(SPAN_KIND.CONSUMER, options),
    confirm: typeof channel.waitForConfirms === 'function',
    followsFrom: options.reference === 'followsFrom',
    traceAcks: options.traceAcks === true,
    needsInfo:
      typeof options.operationName === 'function' ||
      options.requestHook !== undefined ||
      options.responseHook !== undefined,
    hasResponseHook: options.responseHook !== undefined,
    fixedName: typeof options.operationName === 'string' ? options.operationName : undefined,
  };
}

/**
 * The tracer this instrumentation uses now. Read from the options and the live config (not
 * the instrumentation's cached copy), so an extract made before `start` already sees a
 * tracer set by a `configure()` that came after wrapping.
 */
export function tracerOf(instrumentation: AmqpInstrumentation): Tracer {
  return resolveTracer(instrumentation.options.tracer ?? getConfig().tracer);
}

/** The span's operation name: the user's option when given, else `defaultName`. */
export function spanName(
  ins: ChannelInstruments,
  instrumentation: AmqpInstrumentation,
  defaultName: string,
  info: AmqpRequestInfo | undefined,
): string {
  return info === undefined ? (ins.fixedName ?? defaultName) : instrumentation.operationName(defaultName, info);
}
