import { httpState } from './http-state.js';
import type { ResponseHandlerHook } from './types.js';

/**
 * Sets the process-wide response handler (the Python original's `set_response_handler_hook`),
 * called as `hook(response, span)` with every response of every traced HTTP client
 * (`tracedFetch`, `tracedDispatcher`) that has no `responseHook` option of its own, before the
 * span finishes. It is read at each response, so it may be set before or after wrapping.
 * Called with no argument, it removes the hook. A hook that throws is reported through
 * `onInstrumentationError` and never breaks the request.
 *
 * @example
 * setResponseHandlerHook((response, span) => {
 *   span.setTag('http.request_id', response.headers.get('x-request-id') ?? '');
 * });
 */
export function setResponseHandlerHook(hook?: ResponseHandlerHook | null): void {
  if (hook !== undefined && hook !== null && typeof hook !== 'function') {
    throw new TypeError(`setResponseHandlerHook expects a function or nothing, got ${typeof hook}`);
  }
  httpState.responseHandlerHook = hook ?? undefined;
}

/** The hook set with {@link setResponseHandlerHook}, if any. */
export function getResponseHandlerHook(): ResponseHandlerHook | undefined {
  return httpState.responseHandlerHook;
}
