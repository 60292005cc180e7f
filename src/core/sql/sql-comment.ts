/**
 * sqlcommenter (https://google.github.io/sqlcommenter/spec/): the span context as a comment at
 * the end of the statement, `/*traceparent='00-…-…-01'*\/`, from the tracer's own TEXT_MAP
 * injection, so the database's logs and `pg_stat_activity` can be joined to the trace.
 */
import { FORMAT_TEXT_MAP, type Span, type Tracer } from 'opentracing';
import type { InstrumentationErrorHandler } from '../faults.js';
import { injectSafely } from '../span-ops.js';

/** `key='value'` pairs, URL-encoded (so `*\/` cannot occur), `'` escaped, sorted by key. */
function serialize(carrier: Record<string, unknown>): string {
  const pairs: string[] = [];
  for (const key of Object.keys(carrier).sort()) {
    const value = carrier[key];
    if (typeof value !== 'string') continue;
    pairs.push(`${encode(key)}='${encode(value)}'`);
  }
  return pairs.join(',');
}

function encode(text: string): string {
  return encodeURIComponent(text).replace(/'/g, "\\'");
}

/** The sqlcommenter comment for `span`, or `''` when the tracer injects nothing. */
export function sqlCommentFor(tracer: Tracer, span: Span, onError?: InstrumentationErrorHandler): string {
  const carrier: Record<string, unknown> = {};
  injectSafely(tracer, span, FORMAT_TEXT_MAP, carrier, onError);
  const body = serialize(carrier);
  return body === '' ? '' : `/*${body}*/`;
}

/** `text` with the comment appended (after a space), or `text` when the comment is empty. */
export function appendSqlComment(text: string, comment: string): string {
  return comment === '' ? text : `${text} ${comment}`;
}
