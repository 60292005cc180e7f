/**
 * mysql2/promise's objects (`PromisePool`, `PromiseConnection`, `PromisePoolConnection`,
 * `PromisePoolCluster`, `PromisePoolNamespace`) are views over a core object of the callback
 * API. Their query methods capture the caller's stack (mysql2's `trace` option, on by default),
 * then call the core with a callback that settles the promise. The capture costs per frame and
 * is what a failed query's error shows, so a traced view adds no frame to it: its query
 * methods are the view's own, bound to a stand-in whose core is traced, and the span is the
 * core call's.
 */
import type { MethodTable, MethodWrapper } from '../../core/index.js';

/** The field of each view class that holds its core object. */
const CORE_FIELDS = ['pool', 'connection', 'poolCluster', 'poolNamespace'] as const;

/** A mysql2/promise view and the core object under it. */
export interface PromiseView {
  readonly field: (typeof CORE_FIELDS)[number];
  readonly core: object;
}

/** The core object under `value` when it is a mysql2/promise view: an own `Promise` and a core that queries. */
export function promiseViewOf(value: object): PromiseView | undefined {
  if (!Object.hasOwn(value, 'Promise') || typeof (value as { Promise?: unknown }).Promise !== 'function') {
    return undefined;
  }
  for (const field of CORE_FIELDS) {
    if (!Object.hasOwn(value, field)) continue;
    const core = (value as Record<string, unknown>)[field];
    if (core !== null && typeof core === 'object' && typeof (core as { query?: unknown }).query === 'function') {
      return { field, core };
    }
  }
  return undefined;
}

/**
 * The view's own methods, run with `this` = an object that reads as the view except for its
 * core, which is `tracedCore`. Those methods only read `this` (the core and `Promise`).
 */
export function viewMethodOn<T extends object>(view: PromiseView, target: T, tracedCore: object): MethodWrapper<T> {
  const standIn: object = Object.create(target);
  Object.defineProperty(standIn, view.field, { value: tracedCore });
  return (original) => {
    // Bound, not wrapped: a bound function has no stack frame of its own.
    const bound = original.bind(standIn);
    Object.defineProperty(bound, 'name', { value: original.name });
    return bound;
  };
}

/**
 * The core as the view's methods see it: an object over the real core whose SQL methods are
 * `methods`, everything else read from the core itself. Own properties, not a Proxy: the view
 * reads the core's `config` and one method on every query, and a Proxy trap costs on each
 * read. The core's methods are read once, here: mysql2 defines them on its classes.
 */
export function drivenCore<T extends object>(core: T, methods: MethodTable<T>): T {
  const driven = Object.create(core) as T;
  for (const key of Object.keys(methods)) {
    const original: unknown = Reflect.get(core, key);
    const wrapper = methods[key];
    if (typeof original !== 'function' || wrapper === undefined) continue;
    Object.defineProperty(driven, key, { value: wrapper(original as (...args: never[]) => unknown, core, driven) });
  }
  return driven;
}
