import type { ConsumeMessage, GetMessage, Options } from 'amqplib';
import type { ClientTracingOptions } from '../../core/index.js';

/** What hooks and `operationName` get for a `publish` / `sendToQueue`. */
export interface AmqpPublishInfo {
  readonly operation: 'publish';
  /** `''` for the default exchange (`sendToQueue`). */
  readonly exchange: string;
  readonly routingKey: string;
  /** The body, for hooks that choose to record something from it; never recorded by default. */
  readonly content: Buffer;
  /** The caller's options, as given (without the injected trace headers). */
  readonly options: Options.Publish | undefined;
}

/** What hooks and `operationName` get for one delivery to a `consume` handler. */
export interface AmqpConsumeInfo {
  readonly operation: 'consume';
  readonly queue: string;
  readonly message: ConsumeMessage;
}

/** What hooks and `operationName` get for a `get`. */
export interface AmqpGetInfo {
  readonly operation: 'get';
  readonly queue: string;
  readonly options: Options.Get | undefined;
}

/** The `info` of `requestHook` and `operationName`: one of the traced operations. */
export type AmqpRequestInfo = AmqpPublishInfo | AmqpConsumeInfo | AmqpGetInfo;

/** The `info` of `responseHook` after a publish: when the write returned, or the broker confirmed. */
export interface AmqpPublishResult {
  readonly operation: 'publish';
  readonly request: AmqpPublishInfo;
  /** `true` on a confirm channel (the broker acked), `false` on a plain channel. */
  readonly confirmed: boolean;
}

/** The `info` of `responseHook` after a consume handler returned or its promise fulfilled. */
export interface AmqpConsumeResult {
  readonly operation: 'consume';
  readonly request: AmqpConsumeInfo;
  /** What the handler returned (the fulfilled value for an async handler). */
  readonly result: unknown;
}

/** The `info` of `responseHook` after a `get`. */
export interface AmqpGetResult {
  readonly operation: 'get';
  readonly request: AmqpGetInfo;
  /** The message, or `false` when the queue was empty. */
  readonly message: GetMessage | false;
}

/** The `info` of `responseHook`. */
export type AmqpResponseInfo = AmqpPublishResult | AmqpConsumeResult | AmqpGetResult;

/**
 * Options of {@link tracedAmqp}. Besides these, every option of the other traced clients:
 * `tracer`, `currentSpan`, `requireParentSpan`, `peerService`, `tags`,
 * `onInstrumentationError`, `operationName`, `requestHook`, `responseHook`.
 */
export interface AmqpTracingOptions extends ClientTracingOptions<AmqpRequestInfo, AmqpResponseInfo> {
  /**
   * How a consumer span refers to the producer span found in the message headers:
   * `childOf` (the same trace, a child of the publish) or `followsFrom` (a causal reference
   * that does not wait for the result; tracers built on OpenTelemetry record it as a link
   * and start a new trace).
   * @default 'childOf'
   */
  readonly reference?: 'childOf' | 'followsFrom';
  /**
   * Record `ack`, `nack`, `reject` (and the `…All` forms) as spans `amqp:ack`, `amqp:nack`,
   * `amqp:reject`, children of the current span (the consumer span inside a handler).
   * @default false
   */
  readonly traceAcks?: boolean;
}
