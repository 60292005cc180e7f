import { AsyncLocalStorage } from 'node:async_hooks';
import type { Span, SpanContext } from 'opentracing';

/** What a current-span function may return: a live span, a bare span context, or nothing. */
export type CurrentSpanResult = Span | SpanContext | null | undefined;

/** A function that tells which span is current; replaceable with `setCurrentSpanFunc`. */
export type CurrentSpanFunc = () => CurrentSpanResult;

/**
 * Process-wide state shared by every copy of this package that may be loaded at once.
 *
 * A user can end up with two copies: the ESM and the CJS build (one library `require`s us,
 * the app `import`s us), or two subpath entries bundled separately. The current span, the
 * current-span function and the config must be one, or a span set by one copy is invisible
 * to the other. The same reasoning made `@opentelemetry/api` keep its registry on
 * `globalThis` under a `Symbol.for` key.
 */
export interface SharedState {
  readonly storage: AsyncLocalStorage<Span | null>;
  /** `undefined` means the default: the AsyncLocalStorage lookup. */
  currentSpanFunc: CurrentSpanFunc | undefined;
  /** Traced proxy → the object it wraps. */
  readonly originals: WeakMap<object, object>;
  /** Bumped by every `configure()`, so clients can refresh cached settings with one compare. */
  configVersion: number;
  config: unknown;
}

const KEY = Symbol.for('traced-clients.state.v1');

type GlobalWithState = typeof globalThis & { [KEY]?: SharedState };

function createState(): SharedState {
  return {
    storage: new AsyncLocalStorage<Span | null>(),
    currentSpanFunc: undefined,
    originals: new WeakMap(),
    configVersion: 0,
    config: undefined,
  };
}

const holder = globalThis as GlobalWithState;

/** The one shared state object of this process. */
export const state: SharedState = holder[KEY] ?? createState();
if (holder[KEY] === undefined) {
  Object.defineProperty(holder, KEY, { value: state, enumerable: false, configurable: false, writable: false });
}
