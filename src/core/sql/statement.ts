/**
 * What a SQL span records of the statement and its parameters: the `statement` option
 * (sanitized by default), the opt-in parameter capture, and both capped in length.
 */
import { guard, type InstrumentationErrorHandler } from '../faults.js';
import { capLength } from '../redact.js';
import { type SqlDialect, sanitizeSql } from './sanitize.js';

/**
 * How `db.statement` is recorded: `'sanitized'` (literals → `?`, comments dropped), `'raw'`
 * (as given, only capped), `'off'` (not recorded), or a function of the raw text (its result
 * is capped; a throw or a non-string records nothing).
 */
export type SqlStatementOption = 'sanitized' | 'raw' | 'off' | ((sql: string) => string);

/** The options every traced SQL client shares. */
export interface SqlRecordingOptions {
  /**
   * How the statement is recorded in `db.statement`.
   * @default 'sanitized'
   */
  readonly statement?: SqlStatementOption;
  /**
   * Record parameter values in `db.params` (each string capped, Buffers summarized by
   * length, the whole capped by `maxStatementLength`). They may hold personal data.
   * @default false
   */
  readonly captureParams?: boolean;
  /**
   * Append a sqlcommenter comment `/*traceparent='…'*\/` built from the tracer's TEXT_MAP
   * injection of the span, so database-side logs can be joined to the trace. Never added to
   * named or server-prepared statements (it would defeat statement caching).
   * @default false
   */
  readonly sqlComment?: boolean;
}

/** The `db.statement` value for `text`, or `undefined` when nothing is recorded. */
export function statementTag(
  text: string,
  option: SqlStatementOption | undefined,
  maxLength: number,
  dialect: SqlDialect,
  onError?: InstrumentationErrorHandler,
): string | undefined {
  if (option === undefined || option === 'sanitized') {
    return capLength(sanitizeSql(text, { dialect, limit: maxLength }), maxLength);
  }
  if (option === 'raw') return capLength(text, maxLength);
  if (option === 'off') return undefined;
  if (typeof option !== 'function') return capLength(sanitizeSql(text, { dialect, limit: maxLength }), maxLength);
  const custom = guard('statement', () => option(text), onError);
  return typeof custom === 'string' ? capLength(custom, maxLength) : undefined;
}

const MAX_PARAM_LENGTH = 256;

const ignore = (): void => {};

function isBinary(value: object): value is ArrayBufferView | ArrayBuffer {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer;
}

/** One parameter as text: strings quoted and capped, binary summarized, objects JSON. */
export function formatParam(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(capLength(value, MAX_PARAM_LENGTH));
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
      return 'undefined';
    case 'object': {
      if (value === null) return 'null';
      if (isBinary(value)) return `<${value.constructor?.name ?? 'Binary'} ${value.byteLength} bytes>`;
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
      // A cyclic or throwing value is the user's data, not a fault of ours: summarized, not reported.
      const json = guard('params', () => JSON.stringify(value), ignore);
      return typeof json === 'string' ? capLength(json, MAX_PARAM_LENGTH) : '[object]';
    }
    default:
      return `[${typeof value}]`;
  }
}

/**
 * The `db.params` value: `[1, "a", <Buffer 12 bytes>]` for positional values, `{"id": 1}` for
 * named ones; `undefined` when there are none. Stops formatting once past `maxLength`.
 */
export function paramsTag(values: unknown, maxLength: number): string | undefined {
  if (values === undefined || values === null) return undefined;
  let out: string;
  if (Array.isArray(values)) {
    if (values.length === 0) return undefined;
    out = '[';
    for (let i = 0; i < values.length && out.length <= maxLength; i++) {
      out += `${i === 0 ? '' : ', '}${formatParam(values[i])}`;
    }
    out += ']';
  } else if (typeof values === 'object' && !isBinary(values)) {
    const keys = Object.keys(values);
    if (keys.length === 0) return undefined;
    out = '{';
    for (let i = 0; i < keys.length && out.length <= maxLength; i++) {
      const key = keys[i] as string;
      out += `${i === 0 ? '' : ', '}${JSON.stringify(capLength(key, 64))}: ${formatParam((values as Record<string, unknown>)[key])}`;
    }
    out += '}';
  } else out = formatParam(values);
  return capLength(out, maxLength);
}

/**
 * A database server's error message with every quoted part and number replaced by `?`:
 * `Duplicate entry 'alice@x' for key 'email'` → `Duplicate entry ? for key ?`; PostgreSQL's
 * `invalid input syntax for type integer: "abc"` → `… integer: ?`. Server messages quote the
 * offending values, so the cleaned one is what the error log records by default.
 */
export function sanitizeErrorMessage(message: string): string {
  return sanitizeSql(message, { dialect: 'mysql', limit: 1024 });
}
