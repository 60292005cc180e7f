/**
 * Objects mysql2 hands out that issue queries come back traced: `getConnection()` (callback or
 * promise, also on clusters), `.promise()` views and `cluster.of()` namespaces. Callbacks run
 * in the caller's context even when a busy pool answers from another request's release.
 */
import { bindToCurrentContext } from '../../context/index.js';
import type { Instrumentation, MethodWrapper } from '../../core/index.js';
import { isThenable } from '../../core/index.js';

export type Wrap = (value: object) => object;

function tracedValue(instrumentation: Instrumentation, wrap: Wrap, value: unknown): unknown {
  return value !== null && typeof value === 'object' ? instrumentation.handOut(value, wrap) : value;
}

/** `getConnection(…, cb)` or `getConnection(…)` → promise. */
export function getConnectionWrapper<T extends object>(instrumentation: Instrumentation, wrap: Wrap): MethodWrapper<T> {
  return (original, target) =>
    function (this: unknown, ...args: unknown[]) {
      const last = args.length - 1;
      const callback = args[last];
      if (typeof callback === 'function') {
        const bound = bindToCurrentContext(callback as (...a: unknown[]) => unknown);
        const callArgs = args.slice();
        callArgs[last] = function (this: unknown, error: unknown, connection: unknown, ...rest: unknown[]) {
          return Reflect.apply(bound, this, [error, tracedValue(instrumentation, wrap, connection), ...rest]);
        };
        return Reflect.apply(original, target, callArgs);
      }
      const result = Reflect.apply(original, target, args);
      return isThenable(result)
        ? (result as Promise<unknown>).then((c) => tracedValue(instrumentation, wrap, c))
        : result;
    };
}

/** `.promise()` and `cluster.of()`: the returned object, traced. */
export function returnsTracedWrapper<T extends object>(instrumentation: Instrumentation, wrap: Wrap): MethodWrapper<T> {
  return (original, target) =>
    function (this: unknown, ...args: unknown[]) {
      return tracedValue(instrumentation, wrap, Reflect.apply(original, target, args));
    };
}
