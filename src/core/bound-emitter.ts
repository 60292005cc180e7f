/**
 * Emitters a client hands back (a mysql2 query command, its `.stream()`) emit from the
 * driver's context — the connection's, which may belong to another request. Rule 5 says user
 * listeners run in the caller's context, so the emitter comes back as a traced drop-in whose
 * listener-adding methods bind each listener to the context it is added in.
 *
 * Nothing is written to the emitter: the bound function carries the user's listener under
 * `listener`, the property Node's own `once` wrappers use, so `removeListener(fn)`, `off(fn)`
 * and `listeners()` see the user's function as if it had been added directly.
 */
import type { EventEmitter } from 'node:events';
import { bindToCurrentContext } from '../context/index.js';
import { type MethodTable, type MethodWrapper, tracedProxy } from './proxy.js';

type Listener = (...args: unknown[]) => unknown;
type Adder = 'on' | 'addListener' | 'prependListener';

function addBound<T extends EventEmitter>(via: Adder, once: boolean): MethodWrapper<T> {
  return (original, target, proxy) =>
    function (this: unknown, event: string | symbol, listener: unknown) {
      // An invalid listener fails exactly as it would untraced.
      if (typeof listener !== 'function') return Reflect.apply(original, target, [event, listener]);
      const bound = bindToCurrentContext(listener as Listener);
      const wrapper = once
        ? function (this: unknown, ...args: unknown[]) {
            target.removeListener(event, wrapper);
            return Reflect.apply(bound, this, args);
          }
        : function (this: unknown, ...args: unknown[]) {
            return Reflect.apply(bound, this, args);
          };
      Object.defineProperty(wrapper, 'listener', { value: listener });
      const add = target[via] as (event: string | symbol, fn: Listener) => unknown;
      const result = Reflect.apply(add, target, [event, wrapper]);
      return result === target ? proxy : result;
    };
}

/**
 * `emitter` as a traced drop-in whose listeners run in the context they were added in.
 * `extra` adds wrappers for other methods (e.g. one that hands out a derived emitter).
 */
export function withBoundListeners<T extends EventEmitter>(emitter: T, extra: MethodTable<T> = {}): T {
  return tracedProxy(emitter, {
    on: addBound('on', false),
    addListener: addBound('addListener', false),
    prependListener: addBound('prependListener', false),
    once: addBound('on', true),
    prependOnceListener: addBound('prependListener', true),
    ...extra,
  });
}
