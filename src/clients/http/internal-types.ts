/** undici internals as this client reads them. Never exported from the package. */
import type { AbortState } from './failure.js';

/**
 * undici dispatch options as the traced `dispatch` reads them: every field optional and loosely
 * typed, because the caller (user code, Node's bundled fetch, another interceptor) may send
 * anything, and the dispatcher below is the one that validates.
 */
export interface DispatchOptionsLike {
  readonly origin?: string | URL | null;
  readonly path?: unknown;
  readonly method?: unknown;
  readonly headers?: unknown;
  /** An AbortSignal, or an EventEmitter-style signal (which has no `aborted`). */
  readonly signal?: AbortState | null;
}

/** A Pool or Client, whose origin undici keeps under a private symbol. */
export type OriginCarrier = Readonly<Record<symbol, unknown>>;
