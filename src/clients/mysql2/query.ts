/**
 * mysql2's calls, for every API style it has: a Node callback (last argument), a promise
 * (the `mysql2/promise` views), or the returned command as an event emitter
 * (`query(sql).on('result', …)`, `.stream()`), which settles on its `end` or `error`.
 */
import type { EventEmitter } from 'node:events';
import {
  isEmitter,
  type MethodWrapper,
  SpanSettler,
  settleReturned,
  traceCall,
  withBoundListeners,
} from '../../core/index.js';
import type { SqlTracer } from '../../core/sql/index.js';
import type { MysqlQueryOptionsLike } from './internal-types.js';
import type { MysqlQueryInfo } from './types.js';

// mysql2 commands emit `end` after success and after an error; they have no `close`.
const COMMAND_EVENTS = { done: ['end'], closed: [] } as const;

function run(
  sql: SqlTracer<MysqlQueryInfo>,
  info: MysqlQueryInfo,
  original: (...args: never[]) => unknown,
  target: unknown,
  args: unknown[],
  comment: boolean,
): unknown {
  const span = sql.start(info);
  if (span === undefined) return Reflect.apply(original, target, args);
  let callArgs = args;
  if (comment && sql.commentsEnabled && info.text !== undefined) {
    const commented = sql.commented(span, info.text);
    callArgs = args.slice();
    callArgs[0] = typeof args[0] === 'string' ? commented : { ...(args[0] as object), sql: commented };
  }
  const instrumentation = sql.instrumentation as never;
  if (typeof callArgs[callArgs.length - 1] === 'function') {
    return traceCall(instrumentation, span, original, target, callArgs, sql.settlement);
  }
  const result = settleReturned(
    new SpanSettler(instrumentation, span, sql.settlement),
    original,
    target,
    callArgs,
    COMMAND_EVENTS,
  );
  // mysql2 emits a command's events from the connection's context: listeners added to the
  // command, or to its `.stream()`, are bound to their caller's.
  return isEmitter(result) ? withBoundListeners(result, STREAM_TABLE) : result;
}

const STREAM_TABLE = {
  stream: ((original, target) =>
    function (this: unknown, ...args: unknown[]) {
      const stream = Reflect.apply(original, target, args);
      return isEmitter(stream) ? withBoundListeners(stream) : stream;
    }) as MethodWrapper<EventEmitter>,
};

function isPlainObject(value: unknown): value is MysqlQueryOptionsLike {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `query` / `execute`: `(sql, values?, cb?)` or `({ sql, values, … }, values?, cb?)`. */
export function statementWrapper<T extends object>(
  sql: SqlTracer<MysqlQueryInfo>,
  method: 'query' | 'execute',
): MethodWrapper<T> {
  // sqlcommenter never on execute: mysql2 caches server-prepared statements by their text.
  const comment = method === 'query';
  return (original, target) =>
    function (this: unknown, ...args: unknown[]) {
      const first = args[0];
      let text: string | undefined;
      let values: unknown;
      if (typeof first === 'string') {
        text = first;
      } else if (isPlainObject(first)) {
        text = typeof first.sql === 'string' ? first.sql : undefined;
        values = first.values;
      } else {
        // A prepared command object or an invalid argument: as untraced.
        return Reflect.apply(original, target, args);
      }
      if (args.length > 1 && typeof args[1] !== 'function') values = args[1];
      const canComment = comment && (typeof first === 'string' || isPlainObject(first));
      return run(sql, { text, values, name: undefined, method }, original, target, args, canComment);
    };
}

const TRANSACTION_TEXT = { beginTransaction: 'BEGIN', commit: 'COMMIT', rollback: 'ROLLBACK' } as const;

/** `beginTransaction` / `commit` / `rollback`: spans `mysql2:BEGIN`, `mysql2:COMMIT`, `mysql2:ROLLBACK`. */
export function transactionWrapper<T extends object>(
  sql: SqlTracer<MysqlQueryInfo>,
  method: keyof typeof TRANSACTION_TEXT,
): MethodWrapper<T> {
  const text = TRANSACTION_TEXT[method];
  return (original, target) =>
    function (this: unknown, ...args: unknown[]) {
      return run(sql, { text, values: undefined, name: undefined, method }, original, target, args, false);
    };
}
