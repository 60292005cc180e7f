import type { ClientTracingOptions } from '../../core/index.js';
import type { SqlRecordingOptions } from '../../core/sql/index.js';

/** What `operationName` (as a function) and `requestHook` receive for each mysql2 call. */
export interface MysqlQueryInfo {
  /** The SQL text as given (not sanitized: hooks decide what to record). */
  readonly text: string | undefined;
  /** Parameter values as given (positional array or named-placeholder object). */
  readonly values: unknown;
  /** Always `undefined` for mysql2 (prepared statements are keyed by their text). */
  readonly name: undefined;
  /** The method called. */
  readonly method: 'query' | 'execute' | 'beginTransaction' | 'commit' | 'rollback';
}

/** Options of {@link tracedMysql}. `sqlComment` is never applied to `execute` (server-prepared). */
export interface MysqlTracingOptions extends ClientTracingOptions<MysqlQueryInfo, unknown>, SqlRecordingOptions {}
