import { AsyncResource } from 'node:async_hooks';
import type { Span, SpanContext } from 'opentracing';
import { type CurrentSpanFunc, type CurrentSpanResult, state } from './state.js';

const { storage } = state;

/**
 * Runs `fn` with `span` as the current span and returns what `fn` returns (a promise stays a
 * promise). Everything `fn` starts, synchronously or later through awaits, timers and
 * callbacks, sees `span`; the outer current span is back as soon as `fn` returns.
 * `spanInContext(null, fn)` runs `fn` with no current span.
 *
 * @example
 * await spanInContext(span, async () => {
 *   await db.query('SELECT 1'); // a child of `span`
 * });
 */
export function spanInContext<R>(span: Span | null | undefined, fn: () => R): R {
  return storage.run(span ?? null, fn);
}

/**
 * The current parent as the current-span function gives it: a `Span`, or a `SpanContext`
 * when a custom function (see {@link setCurrentSpanFunc}) returns one. This is what new
 * spans are started as children of.
 */
export function getCurrentParent(): Span | SpanContext | undefined {
  const custom = state.currentSpanFunc;
  if (custom === undefined) return storage.getStore() ?? undefined;
  return custom() ?? undefined;
}

/**
 * The current span, or `undefined` when there is none (or the current-span function returned
 * a bare `SpanContext`, which has no span methods: use {@link getCurrentParent} for that).
 */
export function getCurrentSpan(): Span | undefined {
  const parent = getCurrentParent();
  return parent !== undefined && isSpan(parent) ? parent : undefined;
}

/**
 * Replaces, for the whole process, the function that tells which span is current, like the
 * Python original's `set_current_span_func`. Use it to follow a framework's own context
 * (for example dd-trace's `() => tracer.scope().active()`). Called with no argument, it
 * restores the default AsyncLocalStorage lookup used by {@link spanInContext}.
 */
export function setCurrentSpanFunc(fn?: CurrentSpanFunc | null): void {
  if (fn !== undefined && fn !== null && typeof fn !== 'function') {
    throw new TypeError(`setCurrentSpanFunc expects a function or nothing, got ${typeof fn}`);
  }
  state.currentSpanFunc = fn ?? undefined;
}

/** The AsyncLocalStorage current span, ignoring any custom current-span function. */
export function getContextSpan(): Span | undefined {
  return storage.getStore() ?? undefined;
}

/**
 * Binds `fn` to the async context it is bound in: when called later, from wherever, it runs
 * with the current span (and every other AsyncLocalStorage value) of that moment. Clients use
 * it for user callbacks that a library may call from another request's context (a pool
 * queue, a reconnect), so they still see their caller's span.
 */
export function bindToCurrentContext<F extends (...args: never[]) => unknown>(fn: F): F {
  // An AsyncResource made here snapshots every store, not only ours: a user's own request-id
  // store survives the hop too. Made by hand, not with `AsyncLocalStorage.bind` (the same
  // resource, plus `Object.defineProperties` on the bound function): on Node 20 that took
  // ~12 µs per bind and call, this ~0.16 µs, and every callback-style traced call binds one.
  const resource = new AsyncResource('traced-clients.bound');
  return function (this: unknown, ...args: unknown[]) {
    return resource.runInAsyncScope(fn as unknown as (...a: unknown[]) => unknown, this, ...args);
  } as unknown as F;
}

/** Duck-typed, because a `Span` may come from any OpenTracing implementation. */
export function isSpan(value: Span | SpanContext): value is Span {
  return typeof (value as Span).context === 'function';
}

export type { CurrentSpanFunc, CurrentSpanResult };
