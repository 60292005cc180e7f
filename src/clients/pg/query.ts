/**
 * `query` of a pg Pool, Client or PoolClient: every call form pg accepts (text, text +
 * values, config object, callback or promise), one span each, settled by the core.
 */
import { isPlainObject, type MethodWrapper, traceCall } from '../../core/index.js';
import type { SqlTracer } from '../../core/sql/index.js';
import type { PgQueryConfigLike, PgSubmittableLike } from './internal-types.js';
import { submitTraced } from './submittable.js';
import type { PgQueryInfo } from './types.js';

/** The traced `query` method; `sql` carries everything fixed per client. */
export function queryWrapper<T extends object>(sql: SqlTracer<PgQueryInfo>, isPool: boolean): MethodWrapper<T> {
  return (original, target) =>
    function query(this: unknown, ...args: unknown[]) {
      // Nothing will be recorded: no argument parsing, no query info.
      if (sql.instrumentation.hasNoopTracer()) return Reflect.apply(original, target, args);
      const first = args[0];
      let text: string | undefined;
      let values: unknown;
      let name: string | undefined;
      if (typeof first === 'string') {
        text = first;
        values = typeof args[1] === 'function' ? undefined : args[1];
      } else if (first !== null && typeof first === 'object') {
        const config = first as PgQueryConfigLike;
        if (typeof config.submit === 'function')
          return submitTraced(sql, original, target, args, first as PgSubmittableLike);
        text = typeof config.text === 'string' ? config.text : undefined;
        name = typeof config.name === 'string' ? config.name : undefined;
        values = args[1] !== undefined && typeof args[1] !== 'function' ? args[1] : config.values;
      } else {
        // Not a query pg understands: let it fail exactly as it does untraced.
        return Reflect.apply(original, target, args);
      }
      const span = sql.start({ text, values, name, method: 'query' });
      if (span === undefined) return Reflect.apply(original, target, args);
      let callArgs = args;
      // sqlcommenter: never on named statements (pg caches them by name: the text must not vary).
      if (sql.commentsEnabled && text !== undefined && name === undefined) {
        const commented = sql.commented(span, text);
        if (typeof first === 'string') {
          callArgs = args.slice();
          callArgs[0] = commented;
        } else if (isPlainObject(first)) {
          callArgs = args.slice();
          callArgs[0] = { ...(first as object), text: commented };
        }
      }
      // A Client also takes the callback as `config.callback` (a Pool ignores it). Passed as
      // the callback argument of a copy instead, so the span settles on it and it runs in
      // the caller's context; pg sees the same callback either way.
      if (!isPool && typeof args[args.length - 1] !== 'function') {
        const callback = (first as PgQueryConfigLike | undefined)?.callback;
        if (typeof callback === 'function' && isPlainObject(first)) {
          const config = callArgs[0] === first ? { ...(first as object) } : callArgs[0];
          callArgs = [config, args[1], callback];
        }
      }
      return traceCall(sql.instrumentation as never, span, original, target, callArgs, sql.settlement);
    };
}
