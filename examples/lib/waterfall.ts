/**
 * Draws finished spans as a terminal waterfall: one block per trace, indentation for
 * parent/child, a bar for start and duration, errors marked. The span model is plain data, so
 * spans from an in-memory exporter and spans decoded from OTLP draw the same way.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

export interface WaterfallSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentId: string | undefined;
  readonly name: string;
  /** Milliseconds since the epoch. */
  readonly startMs: number;
  readonly durationMs: number;
  readonly error: boolean;
  /** The service that recorded the span, shown in brackets when given. */
  readonly service?: string | undefined;
  /** A short note shown after the bar (e.g. an error kind, a status code). */
  readonly note?: string | undefined;
}

const WIDTH = 36;
const toMs = (t: readonly [number, number]): number => t[0] * 1e3 + t[1] / 1e6;

/** The plain-data form of an OpenTelemetry SDK span. */
export function fromReadableSpan(span: ReadableSpan): WaterfallSpan {
  return {
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentId: span.parentSpanContext?.spanId,
    name: span.name,
    startMs: toMs(span.startTime),
    durationMs: toMs(span.duration),
    error: span.status.code === 2,
  };
}

/** Groups spans by trace, in the order their traces started. */
export function groupByTrace(spans: readonly WaterfallSpan[]): WaterfallSpan[][] {
  const byTrace = new Map<string, WaterfallSpan[]>();
  for (const span of spans) byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
  return [...byTrace.values()].sort(
    (a, b) => Math.min(...a.map((s) => s.startMs)) - Math.min(...b.map((s) => s.startMs)),
  );
}

/** One trace as text. */
export function drawTrace(spans: readonly WaterfallSpan[], title?: string): string {
  const ids = new Set(spans.map((s) => s.spanId));
  const start = Math.min(...spans.map((s) => s.startMs));
  const end = Math.max(...spans.map((s) => s.startMs + s.durationMs));
  const total = Math.max(end - start, 0.001);
  const traceId = spans[0]?.traceId ?? '';
  const lines = [`${title ? `${title}  ` : ''}trace ${traceId}  (${spans.length} spans, ${total.toFixed(1)} ms)`];
  const byStart = (a: WaterfallSpan, b: WaterfallSpan) => a.startMs - b.startMs;
  const children = (parent: WaterfallSpan) => spans.filter((s) => s.parentId === parent.spanId).sort(byStart);
  const draw = (span: WaterfallSpan, depth: number) => {
    const offset = Math.min(WIDTH - 1, Math.round(((span.startMs - start) / total) * WIDTH));
    const length = Math.max(1, Math.min(WIDTH - offset, Math.round((span.durationMs / total) * WIDTH)));
    const bar = `${' '.repeat(offset)}${'█'.repeat(length)}`.padEnd(WIDTH);
    const service = span.service ? `[${span.service}] ` : '';
    const label = `${'  '.repeat(depth)}${service}${span.name}`;
    const mark = span.error ? `  ✗ error${span.note ? ` (${span.note})` : ''}` : span.note ? `  ${span.note}` : '';
    lines.push(`  ${label.padEnd(44)} |${bar}| ${span.durationMs.toFixed(2).padStart(8)} ms${mark}`);
    for (const child of children(span)) draw(child, depth + 1);
  };
  const roots = spans.filter((s) => s.parentId === undefined || !ids.has(s.parentId)).sort(byStart);
  for (const root of roots) draw(root, 0);
  return lines.join('\n');
}

/** Every trace in `spans`, each drawn as a block. */
export function drawWaterfall(spans: readonly WaterfallSpan[]): string {
  return groupByTrace(spans)
    .map((trace) => drawTrace(trace))
    .join('\n\n');
}
