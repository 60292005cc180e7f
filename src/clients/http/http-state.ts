import { AsyncLocalStorage } from 'node:async_hooks';
import type { ResponseHandlerHook } from './types.js';

/**
 * Process-wide HTTP client state, on `globalThis` under a `Symbol.for` key like the core's
 * shared state (src/context/state.ts): an app can load two copies of this package (the ESM
 * and the CJS build, or `traced-clients/fetch` and `traced-clients/undici` bundled apart), and
 * a hook set through one copy, or a fetch traced by one copy and a dispatcher by the other,
 * must still meet.
 */
export interface HttpSharedState {
  /** The hook set with `setResponseHandlerHook`. */
  responseHandlerHook: ResponseHandlerHook | undefined;
  /**
   * Set (to `true`) for the duration of a `tracedFetch` call that records a span. A traced
   * dispatcher reached from inside it (fetch → global or `init.dispatcher`) passes the request
   * straight through: the fetch span is the request's span and its headers already carry the
   * trace context. An AsyncLocalStorage flag rather than a marker header, because a header would
   * reach the server whenever the dispatcher is *not* traced.
   */
  readonly fetchScope: AsyncLocalStorage<boolean>;
  /**
   * Set once any `tracedDispatcher` exists. Until then no dispatcher can pass a request
   * through, so a traced fetch does not enter `fetchScope`: entering it once enables it for
   * good, and Node 20 then propagates its store on every promise the process creates.
   */
  dispatcherTraced: boolean;
}

const KEY = Symbol.for('traced-clients.http.v1');

type GlobalWithHttpState = typeof globalThis & { [KEY]?: HttpSharedState };

const holder = globalThis as GlobalWithHttpState;

/** The one HTTP client state object of this process. */
export const httpState: HttpSharedState = holder[KEY] ?? {
  responseHandlerHook: undefined,
  fetchScope: new AsyncLocalStorage<boolean>(),
  dispatcherTraced: false,
};
if (holder[KEY] === undefined) {
  Object.defineProperty(holder, KEY, { value: httpState, enumerable: false, configurable: false, writable: false });
}
