import type { Span, SpanContext, Tracer } from 'opentracing';
import { getCurrentParent } from '../context/index.js';
import { getConfig } from './config.js';
import { definedTags, resolveTracer } from './span-ops.js';
import type { TagMap } from './tags.js';

/** Options of {@link startChildSpan}. */
export interface StartChildSpanOptions {
  /** @default `configure({ tracer })`, else `opentracing.globalTracer()` */
  readonly tracer?: Tracer;
  /**
   * The parent. `undefined` means the current span; `null` starts a new trace.
   * @default the current span
   */
  readonly parent?: Span | SpanContext | null;
  readonly tags?: TagMap;
}

/**
 * Starts a span as a child of the current span (or of `parent`), like the Python original's
 * `start_child_span`. The caller finishes it. Unlike the traced clients this does not
 * swallow tracer errors: it is a direct tracer call made on purpose by the app.
 *
 * @example
 * const span = startChildSpan('rebuild-index', { tags: { shard: 3 } });
 * try { await rebuild(); } finally { span.finish(); }
 */
export function startChildSpan(operationName: string, options: StartChildSpanOptions = {}): Span {
  const tracer = resolveTracer(options.tracer ?? getConfig().tracer);
  const parent = options.parent === undefined ? getCurrentParent() : (options.parent ?? undefined);
  const tags = definedTags(options.tags);
  // Two literals, not a spread that adds `tags` (V8's slow path, see extensibleCopy).
  return tracer.startSpan(operationName, parent === undefined ? { tags } : { childOf: parent, tags });
}
