/**
 * Trace context in AMQP message headers (the OpenTracing TEXT_MAP format).
 *
 * Outbound: the span context goes into a NEW headers object layered over the caller's
 * (`Object.create(callerHeaders)`), inside a NEW options object layered over the caller's.
 * amqplib encodes headers with `for…in` and reads options by property access, so both see
 * exactly what the caller gave plus our keys, while the caller's objects stay untouched.
 * A key the caller set (even to `undefined`) is never overwritten.
 *
 * Inbound: header values may be strings, Buffers (binary `x` values from other clients) or
 * anything a foreign producer put there; only text values are offered to the tracer.
 */
import { FORMAT_TEXT_MAP, type Span, type SpanContext, type Tracer } from 'opentracing';
import type { InstrumentationErrorHandler } from '../../core/index.js';
import { extractSafely, injectSafely } from '../../core/index.js';

function isObjectOrAbsent(value: unknown): value is object | null | undefined {
  return value === undefined || value === null || typeof value === 'object';
}

/**
 * The `options` to pass to amqplib instead of the caller's: the same options with the span
 * context added to `headers`. Returns the caller's `options` itself when nothing is added
 * (the tracer injected nothing, the caller set every key, or `options`/`headers` are not
 * objects, in which case amqplib must see them as given and fail as it would).
 */
export function withTraceHeaders(
  tracer: Tracer,
  span: Span,
  options: unknown,
  onError: InstrumentationErrorHandler | undefined,
): unknown {
  if (!isObjectOrAbsent(options)) return options;
  const callerHeaders = (options as { headers?: unknown } | null | undefined)?.headers;
  if (!isObjectOrAbsent(callerHeaders)) return options;
  const injected: Record<string, string> = {};
  injectSafely(tracer, span, FORMAT_TEXT_MAP, injected, onError);
  let headers: Record<string, unknown> | undefined;
  for (const key of Object.keys(injected)) {
    if (callerHeaders !== undefined && callerHeaders !== null && key in callerHeaders) continue;
    headers ??= Object.create(callerHeaders ?? null) as Record<string, unknown>;
    headers[key] = injected[key];
  }
  if (headers === undefined) return options;
  return Object.create(options ?? null, {
    headers: { value: headers, enumerable: true, writable: true, configurable: true },
  });
}

/** The text values of message headers, or `undefined` when there are none. */
export function headersCarrier(headers: unknown): Record<string, string> | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  let carrier: Record<string, string> | undefined;
  for (const key of Object.keys(headers)) {
    const value: unknown = (headers as Record<string, unknown>)[key];
    let textValue: string | undefined;
    if (typeof value === 'string') textValue = value;
    else if (Buffer.isBuffer(value)) textValue = value.toString('utf8');
    else continue;
    carrier ??= Object.create(null) as Record<string, string>;
    carrier[key] = textValue;
  }
  return carrier;
}

/**
 * The producer's span context from a message's headers, or `undefined` (no headers, no
 * trace headers, or corrupt/foreign ones): the consumer span then starts a new trace.
 */
export function extractFromHeaders(
  tracer: Tracer,
  headers: unknown,
  onError: InstrumentationErrorHandler | undefined,
): SpanContext | undefined {
  const carrier = headersCarrier(headers);
  return carrier === undefined ? undefined : extractSafely(tracer, FORMAT_TEXT_MAP, carrier, onError);
}
