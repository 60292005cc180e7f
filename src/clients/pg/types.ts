import type { ClientTracingOptions } from '../../core/index.js';
import type { SqlRecordingOptions } from '../../core/sql/index.js';

/** What `operationName` (as a function) and `requestHook` receive for each pg query. */
export interface PgQueryInfo {
  /** The SQL text as given (not sanitized: hooks decide what to record). */
  readonly text: string | undefined;
  /** Parameter values as given. */
  readonly values: unknown;
  /** Prepared statement name (`query({ name, text })`). */
  readonly name: string | undefined;
  /** `query`, or `submit` for a Submittable such as pg-cursor. */
  readonly method: 'query' | 'submit';
}

/** Options of {@link tracedPg}. */
export interface PgTracingOptions extends ClientTracingOptions<PgQueryInfo, unknown>, SqlRecordingOptions {
  /**
   * Record a `pg:connect` span for the time a `pool.connect()` waits for a connection.
   * @default false
   */
  readonly traceConnect?: boolean;
}
