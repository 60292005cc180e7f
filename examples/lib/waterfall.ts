/**
 * Draws finished OpenTelemetry spans as a terminal waterfall: one block per trace, indentation
 * for parent/child, a bar for start and duration, errors marked. Used by the examples.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

const WIDTH = 40;

const toMs = (t: readonly [number, number]): number => t[0] * 1e3 + t[1] / 1e6;

export function drawWaterfall(spans: readonly ReadableSpan[]): string {
  const byTrace = new Map<string, ReadableSpan[]>();
  for (const span of spans) {
    const traceId = span.spanContext().traceId;
    byTrace.set(traceId, [...(byTrace.get(traceId) ?? []), span]);
  }
  const out: string[] = [];
  for (const [traceId, traceSpans] of byTrace) {
    const ids = new Set(traceSpans.map((s) => s.spanContext().spanId));
    const roots = traceSpans.filter((s) => !s.parentSpanContext || !ids.has(s.parentSpanContext.spanId));
    const start = Math.min(...traceSpans.map((s) => toMs(s.startTime)));
    const end = Math.max(...traceSpans.map((s) => toMs(s.endTime)));
    const total = Math.max(end - start, 0.001);
    out.push(`trace ${traceId}  (${traceSpans.length} spans, ${total.toFixed(1)} ms)`);
    const children = (parent: ReadableSpan) =>
      traceSpans
        .filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId)
        .sort((a, b) => toMs(a.startTime) - toMs(b.startTime));
    const draw = (span: ReadableSpan, depth: number) => {
      const offset = Math.round(((toMs(span.startTime) - start) / total) * WIDTH);
      const length = Math.max(1, Math.round((toMs(span.duration) / total) * WIDTH));
      const bar = `${' '.repeat(offset)}${'█'.repeat(Math.min(length, WIDTH - offset + 1))}`.padEnd(WIDTH + 1);
      const failed = span.status.code === 2 ? '  ✗ error' : '';
      const label = `${'  '.repeat(depth)}${span.name}`.padEnd(34);
      out.push(`  ${label} |${bar}| ${toMs(span.duration).toFixed(2).padStart(8)} ms${failed}`);
      for (const child of children(span)) draw(child, depth + 1);
    };
    for (const root of roots.sort((a, b) => toMs(a.startTime) - toMs(b.startTime))) draw(root, 0);
    out.push('');
  }
  return out.join('\n');
}
