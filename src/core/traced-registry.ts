import { state } from '../context/index.js';

/**
 * Records that `traced` is the traced form of `original`, for traced values that are not made
 * by `tracedProxy`: a wrapped function (`tracedFetch`) or a Proxy of another shape
 * (`tracedDispatcher`'s, which replaces only `dispatch`). `isTraced`, `untraced` and idempotent wrapping then
 * hold for them exactly as for proxies. Returns `traced`.
 */
export function registerTraced<T extends object>(traced: T, original: T): T {
  state.originals.set(traced, original);
  return traced;
}

/**
 * Marks an object traced in place (an ioredis pipeline: short-lived, one per batch, its own
 * original). A WeakMap entry per such object cost ~1.5 µs in a busy process (identity hash,
 * ephemeron table growth and its GC), more than the rest of tracing a pipeline; a symbol
 * property is one hidden-class transition, shared by every pipeline. `Symbol.for`, so two
 * copies of this package (ESM and CJS) recognise each other's, like the shared state.
 */
const TRACED_IN_PLACE = Symbol.for('traced-clients.traced-in-place.v1');

export function markTracedInPlace<T extends object>(value: T): T {
  (value as Record<symbol, unknown>)[TRACED_IN_PLACE] = true;
  return value;
}

export function isTracedInPlace(value: object): boolean {
  return (value as Record<symbol, unknown>)[TRACED_IN_PLACE] === true;
}
