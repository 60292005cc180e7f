import { state } from '../context/index.js';

/**
 * Records that `traced` is the traced form of `original`, for traced values that are not made
 * by `tracedProxy`: a wrapped function (`tracedFetch`) or a Proxy the client library builds
 * itself (undici's `Dispatcher.compose`). `isTraced`, `untraced` and idempotent wrapping then
 * hold for them exactly as for proxies. Returns `traced`.
 */
export function registerTraced<T extends object>(traced: T, original: T): T {
  state.originals.set(traced, original);
  return traced;
}
