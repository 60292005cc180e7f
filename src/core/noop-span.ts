import { Span } from 'opentracing';

/**
 * opentracing's own no-op span: every method accepts its arguments and records nothing. For
 * the few public building blocks that must hand back a span even when nothing is recorded
 * (`beforeHttpRequest` under `requireParentSpan` with no parent, or the no-op tracer), so the
 * caller's `span.finish()` needs no check. Stateless, so one instance serves every caller.
 */
export const NOOP_SPAN: Span = new Span();
