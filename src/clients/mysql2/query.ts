/**
 * mysql2's calls, for every API style it has: a Node callback (last argument), a promise
 * (the `mysql2/promise` views), or the returned command as an event emitter
 * (`query(sql).on('result', …)`, `.stream()`), which settles on its `end` or `error`.
 */
import type { EventEmitter } from 'node:events';
import type { Span } from 'opentracing';
import { isEmitter, isPlainObject, type MethodWrapper, traceCall, withBoundListeners } from '../../core/index.js';
import type { SqlTracer } from '../../core/sql/index.js';
import type { MysqlQueryInfo } from './types.js';

// mysql2 commands emit `end` after success and after an error; they have no `close`.
const COMMAND_EVENTS = { done: ['end'], closed: [] } as const;

/**
 * How a traced method settles: `auto` for the objects users call (callback, emitter or
 * promise); `driver-callback` for the core object behind a mysql2/promise object, whose only
 * caller is mysql2's own promise code (see promise-view.ts).
 */
export type MysqlCallStyle = 'auto' | 'driver-callback';

/**
 * In the emitter form (no callback), the returned command's listeners, and its `.stream()`'s,
 * bound to their caller's context: mysql2 emits a command's events from the connection's. A
 * call with a callback returns the command too, as it is: its callback is what is bound.
 */
function bindCommand(args: readonly unknown[], result: unknown): unknown {
  if (typeof args[args.length - 1] === 'function') return result;
  return isEmitter(result) ? withBoundListeners(result, STREAM_TABLE) : result;
}

/** The arguments with the statement's sqlcommenter comment, when comments are on. */
function commentedArgs(
  sql: SqlTracer<MysqlQueryInfo>,
  span: Span,
  text: string | undefined,
  args: unknown[],
): unknown[] {
  if (!sql.commentsEnabled || text === undefined) return args;
  const commented = sql.commented(span, text);
  const callArgs = args.slice();
  callArgs[0] = typeof args[0] === 'string' ? commented : { ...(args[0] as object), sql: commented };
  return callArgs;
}

const STREAM_TABLE = {
  stream: ((original, target) =>
    function (this: unknown, ...args: unknown[]) {
      const stream = Reflect.apply(original, target, args);
      return isEmitter(stream) ? withBoundListeners(stream) : stream;
    }) as MethodWrapper<EventEmitter>,
};

/** `query` / `execute`: `(sql, values?, cb?)` or `({ sql, values, … }, values?, cb?)`. */
export function statementWrapper<T extends object>(
  sql: SqlTracer<MysqlQueryInfo>,
  method: 'query' | 'execute',
  style: MysqlCallStyle,
): MethodWrapper<T> {
  // sqlcommenter never on execute: mysql2 caches server-prepared statements by their text.
  const comment = method === 'query';
  return (original, target) =>
    // Named for the stack traces users read: `Proxy.traced (…)` under their own frame.
    function traced(this: unknown, ...args: unknown[]) {
      // Nothing will be recorded: no argument parsing, no query info.
      if (sql.instrumentation.hasNoopTracer()) return Reflect.apply(original, target, args);
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
      const span = sql.start({ text, values, name: undefined, method });
      if (span === undefined) return Reflect.apply(original, target, args);
      const callArgs = comment ? commentedArgs(sql, span, text, args) : args;
      return bindCommand(
        callArgs,
        traceCall(
          sql.instrumentation as never,
          span,
          original,
          target,
          callArgs,
          sql.settlement,
          style,
          COMMAND_EVENTS,
        ),
      );
    };
}

const TRANSACTION_TEXT = { beginTransaction: 'BEGIN', commit: 'COMMIT', rollback: 'ROLLBACK' } as const;

/** `beginTransaction` / `commit` / `rollback`: spans `mysql2:BEGIN`, `mysql2:COMMIT`, `mysql2:ROLLBACK`. */
export function transactionWrapper<T extends object>(
  sql: SqlTracer<MysqlQueryInfo>,
  method: keyof typeof TRANSACTION_TEXT,
  style: MysqlCallStyle,
): MethodWrapper<T> {
  const text = TRANSACTION_TEXT[method];
  return (original, target) =>
    function traced(this: unknown, ...args: unknown[]) {
      const span = sql.start({ text, values: undefined, name: undefined, method });
      if (span === undefined) return Reflect.apply(original, target, args);
      return bindCommand(
        args,
        traceCall(sql.instrumentation as never, span, original, target, args, sql.settlement, style, COMMAND_EVENTS),
      );
    };
}
