/**
 * `pool.connect()`: the PoolClient it gives comes back traced (the same traced object for the
 * same connection each time), the callback runs in the caller's context even when the pool
 * hands the connection over from another request's release, and with `traceConnect` the wait
 * is a `pg:connect` span.
 */
import { bindToCurrentContext } from '../../context/index.js';
import { type MethodWrapper, SpanSettler } from '../../core/index.js';
import type { SqlTracer } from '../../core/sql/index.js';
import type { PgQueryInfo } from './types.js';

export function connectWrapper<T extends object>(
  sql: SqlTracer<PgQueryInfo>,
  traceConnect: boolean,
  wrapClient: (client: object) => object,
): MethodWrapper<T> {
  const instrumentation = sql.instrumentation;
  const handOut = (client: unknown): unknown =>
    client !== null && typeof client === 'object' ? instrumentation.handOut(client, wrapClient) : client;
  return (original, target) =>
    function connect(this: unknown, ...args: unknown[]) {
      const span = traceConnect ? instrumentation.start('pg:connect') : undefined;
      const settler = span === undefined ? undefined : new SpanSettler(instrumentation as never, span);
      const callback = args[0];
      if (typeof callback === 'function') {
        const bound = bindToCurrentContext(callback as (...a: unknown[]) => unknown);
        return Reflect.apply(original, target, [
          function connected(this: unknown, error: unknown, client: unknown, ...rest: unknown[]) {
            if (settler !== undefined) {
              if (error !== null && error !== undefined) settler.fail(error);
              else settler.succeed(undefined);
            }
            return Reflect.apply(bound, this, [error, handOut(client), ...rest]);
          },
        ]);
      }
      const promise = Reflect.apply(original, target, args) as Promise<unknown>;
      if (settler === undefined) return promise.then(handOut);
      // One reaction for both: the caller's promise is the one derived here, so a refused
      // connection it forgets is still reported, and it resolves when the raw one would.
      return promise.then(
        (client) => {
          settler.succeed(undefined);
          return handOut(client);
        },
        (error: unknown) => {
          settler.fail(error);
          throw error;
        },
      );
    };
}
