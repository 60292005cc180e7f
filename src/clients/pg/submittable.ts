/**
 * Submittables (pg-cursor, pg-query-stream, any object with `submit`): pg drives them by
 * calling their `handle*` methods as protocol messages arrive. The traced query hands pg a
 * proxy of the user's object whose `handle*` methods run in the caller's context and settle
 * the span on `handleReadyForQuery` (end, also after an early `close()`) or `handleError`.
 * No listener is added to the object (pg-cursor emits `error` only when someone listens),
 * nothing is written on it, and the user gets back their very own object.
 */
import { bindToCurrentContext } from '../../context/index.js';
import { type MethodTable, type MethodWrapper, SpanSettler, tracedProxy } from '../../core/index.js';
import type { SqlTracer } from '../../core/sql/index.js';
import type { PgSubmittableLike } from './internal-types.js';
import type { PgQueryInfo } from './types.js';

type Runner = (fn: (...args: unknown[]) => unknown, self: unknown, args: unknown[]) => unknown;

const run: Runner = (fn, self, args) => Reflect.apply(fn, self, args);

const PROTOCOL_METHODS = [
  'handleRowDescription',
  'handleDataRow',
  'handleCommandComplete',
  'handlePortalSuspended',
  'handleEmptyQuery',
  'handleCopyInResponse',
  'handleCopyData',
] as const;

function methodsFor(settler: SpanSettler, inCaller: Runner): MethodTable<PgSubmittableLike> {
  const passThrough: MethodWrapper<PgSubmittableLike> = (original, target) =>
    function (this: unknown, ...args: unknown[]) {
      return inCaller(original, target, args);
    };
  const table: Record<string, MethodWrapper<PgSubmittableLike>> = {};
  for (const name of PROTOCOL_METHODS) table[name] = passThrough;
  table.handleReadyForQuery = (original, target) =>
    function (this: unknown, ...args: unknown[]) {
      const result = inCaller(original, target, args);
      settler.succeed(target);
      return result;
    };
  table.handleError = (original, target) =>
    function (this: unknown, ...args: unknown[]) {
      settler.fail(args[0]);
      return inCaller(original, target, args);
    };
  return table;
}

function textOf(submittable: PgSubmittableLike): { text: string | undefined; values: unknown } {
  const source = typeof submittable.text === 'string' ? submittable : submittable.cursor;
  return {
    text: typeof source?.text === 'string' ? source.text : undefined,
    values: source?.values,
  };
}

/** Submits a Submittable through a traced proxy; returns the user's own object. */
export function submitTraced(
  sql: SqlTracer<PgQueryInfo>,
  original: (...args: unknown[]) => unknown,
  target: unknown,
  args: unknown[],
  submittable: PgSubmittableLike,
): unknown {
  const { text, values } = textOf(submittable);
  const span = sql.start({ text, values, name: undefined, method: 'submit' });
  if (span === undefined) return Reflect.apply(original, target, args);
  const settler = new SpanSettler(sql.instrumentation as never, span, sql.settlement);
  const proxy = tracedProxy(submittable, methodsFor(settler, bindToCurrentContext(run)));
  const callArgs = args.slice();
  callArgs[0] = proxy;
  try {
    Reflect.apply(original, target, callArgs);
  } catch (error) {
    settler.fail(error);
    throw error;
  }
  return submittable;
}
