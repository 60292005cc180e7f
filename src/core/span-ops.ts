/**
 * The one module that talks to the OpenTracing API. Every call a tracer or span could throw
 * from is made here, in "catch and report" mode, so a broken tracer never reaches the app;
 * and a later OpenTelemetry-native mode would be a change to this file alone.
 */
import {
  globalTracer,
  REFERENCE_FOLLOWS_FROM,
  Reference,
  Span,
  type SpanContext,
  type SpanOptions,
  Tracer,
} from 'opentracing';
import { getConfig } from './config.js';
import { type InstrumentationErrorHandler, reportFault } from './faults.js';
import { TAG, type TagMap } from './tags.js';

const NOOP_SPAN_PROTOTYPE: object = Span.prototype;
const NOOP_TRACER_PROTOTYPE: object = Tracer.prototype;

/**
 * True for an instance of `opentracing`'s own no-op `Tracer` (`new Tracer()`), which records
 * nothing: real tracers subclass it. The global tracer is a delegate, so with none registered
 * it is caught later, by its span (`isNoopSpan`).
 */
export function isNoopTracer(tracer: Tracer): boolean {
  return Object.getPrototypeOf(tracer) === NOOP_TRACER_PROTOTYPE;
}

/**
 * True for the no-op span of `opentracing` (what the no-op and the unset global tracer
 * return). Real tracers subclass `Span`, so a prototype compare tells them apart at the cost
 * of one property read; recording nothing lets clients skip all tag work.
 */
export function isNoopSpan(span: Span): boolean {
  return Object.getPrototypeOf(span) === NOOP_SPAN_PROTOTYPE;
}

/** Drops `undefined` values, once, so a tag map can be reused on every call. */
export function definedTags(tags: TagMap | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  if (tags === undefined) return out;
  for (const key of Object.keys(tags)) {
    const value = tags[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * Starts a span; `undefined` when the tracer throws (reported) or is the no-op tracer.
 * Positional, not an options bag: this runs on every traced call, and the tracer's own
 * `SpanOptions` is the one object it must allocate (tracers may mutate it).
 *
 * @param tags start tags, reused across calls: never mutated here
 */
export function startSpanSafely(
  tracer: Tracer,
  operationName: string,
  parent: Span | SpanContext | undefined,
  followsFrom: boolean,
  tags: Record<string, string | number | boolean>,
  onError: InstrumentationErrorHandler | undefined,
): Span | undefined {
  const spanOptions: SpanOptions = { tags };
  if (parent !== undefined) {
    if (followsFrom) spanOptions.references = [followsFromRef(parent)];
    else spanOptions.childOf = parent;
  }
  let span: Span;
  try {
    span = tracer.startSpan(operationName, spanOptions);
  } catch (error) {
    reportFault(error, 'tracer.startSpan', onError);
    return undefined;
  }
  if (span === null || typeof span !== 'object' || isNoopSpan(span)) return undefined;
  return span;
}

function followsFromRef(parent: Span | SpanContext): Reference {
  return new Reference(REFERENCE_FOLLOWS_FROM, parent);
}

/** The tracer to use now: the given one, else the global tracer as registered at this moment. */
export function resolveTracer(tracer: Tracer | undefined): Tracer {
  return tracer ?? globalTracer();
}

export function setTagSafely(span: Span, key: string, value: unknown, onError?: InstrumentationErrorHandler): void {
  if (value === undefined) return;
  try {
    span.setTag(key, value);
  } catch (error) {
    reportFault(error, 'span.setTag', onError);
  }
}

export function addTagsSafely(span: Span, tags: TagMap, onError?: InstrumentationErrorHandler): void {
  for (const key of Object.keys(tags)) setTagSafely(span, key, tags[key], onError);
}

export function logSafely(span: Span, fields: Record<string, unknown>, onError?: InstrumentationErrorHandler): void {
  try {
    span.log(fields);
  } catch (error) {
    reportFault(error, 'span.log', onError);
  }
}

export function finishSafely(span: Span, onError?: InstrumentationErrorHandler): void {
  try {
    span.finish();
  } catch (error) {
    reportFault(error, 'span.finish', onError);
  }
}

/** Renames a span (a server span once the framework has matched a route). */
export function setOperationNameSafely(span: Span, name: string, onError?: InstrumentationErrorHandler): void {
  try {
    span.setOperationName(name);
  } catch (error) {
    reportFault(error, 'span.setOperationName', onError);
  }
}

/** The span's trace id as the tracer prints it; `undefined` when the tracer has none or throws. */
export function traceIdOf(span: Span, onError?: InstrumentationErrorHandler): string | undefined {
  try {
    const id = span.context().toTraceId();
    return typeof id === 'string' && id !== '' ? id : undefined;
  } catch (error) {
    reportFault(error, 'span.context', onError);
    return undefined;
  }
}

/** The low-cardinality kind of an error: its `code` when it has one, else its `name`. */
export function defaultErrorKind(error: unknown): string {
  if (error !== null && typeof error === 'object') {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' || typeof code === 'number') return String(code);
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && name !== '') return name;
    return (error as object).constructor?.name ?? 'Error';
  }
  return typeof error;
}

/** Options of {@link recordError}. */
export interface RecordErrorOptions {
  /** `error.kind`; defaults to {@link defaultErrorKind}. */
  readonly kind?: string | undefined;
  /** The message to log; defaults to the error's own. Clients whose driver messages can
   * hold user data (a duplicate key value) pass a cleaned one: then the stack's header is
   * rewritten with it and `error.object` (whose own fields carry the same data) is left out. */
  readonly message?: string | undefined;
  readonly onError?: InstrumentationErrorHandler | undefined;
}

/**
 * Marks a span as failed by the OpenTracing conventions: tag `error: true` and one log
 * `{ event: 'error', 'error.kind', message, stack }`, plus `'error.object'` when
 * `configure({ recordErrorObjects: true })` (off by default: driver errors carry user data).
 */
export function recordError(span: Span, error: unknown, options: RecordErrorOptions = {}): void {
  setTagSafely(span, TAG.ERROR, true, options.onError);
  const isError = error instanceof Error;
  const safeMessage = options.message;
  const replaced = safeMessage !== undefined && !(isError && safeMessage === error.message);
  const fields: Record<string, unknown> = {
    event: 'error',
    'error.kind': options.kind ?? defaultErrorKind(error),
    message: safeMessage ?? (isError ? error.message : String(error)),
    stack: isError ? error.stack : undefined,
  };
  if (replaced) {
    // The driver's message (and the error's own fields, which tracers serialize) may hold
    // the very values the cleaned message leaves out: keep neither.
    fields.stack = isError ? restack(error, safeMessage) : undefined;
  } else if (getConfig().recordErrorObjects) {
    fields['error.object'] = error;
  }
  logSafely(span, fields, options.onError);
}

/** The error's stack frames under a `Name: message` header with the given message. */
function restack(error: Error, message: string): string | undefined {
  const stack = error.stack;
  if (typeof stack !== 'string') return undefined;
  const frames = stack.indexOf('\n    at ');
  return `${error.name}: ${message}${frames === -1 ? '' : stack.slice(frames)}`;
}

/** `tracer.inject` that reports instead of throwing (MockTracer throws on every inject). */
export function injectSafely(
  tracer: Tracer,
  span: Span | SpanContext,
  format: string,
  carrier: unknown,
  onError?: InstrumentationErrorHandler,
): void {
  try {
    const context = typeof (span as Span).context === 'function' ? (span as Span).context() : (span as SpanContext);
    tracer.inject(context, format, carrier);
  } catch (error) {
    reportFault(error, 'tracer.inject', onError);
  }
}

/**
 * `tracer.extract` that never throws: a malformed, hostile or foreign carrier gives
 * `undefined` and the caller starts a new trace.
 */
export function extractSafely(
  tracer: Tracer,
  format: string,
  carrier: unknown,
  onError?: InstrumentationErrorHandler,
): SpanContext | undefined {
  try {
    const context = tracer.extract(format, carrier);
    if (context === null || context === undefined) return undefined;
    // Some tracers return an "empty" context instead of null for a carrier without a trace.
    if (typeof context.toTraceId === 'function') {
      const traceId = context.toTraceId();
      if (traceId === '' || /^0+$/.test(traceId)) return undefined;
    }
    return context;
  } catch (error) {
    reportFault(error, 'tracer.extract', onError);
    return undefined;
  }
}
