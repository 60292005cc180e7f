import { state } from '../context/index.js';

/**
 * Where an instrumentation fault came from: `tracer.startSpan`, `span.finish`,
 * `hook.requestHook`, `tags.<client>`… Low cardinality, so it can key a counter.
 */
export type FaultSource = string;

/** Receives faults of the instrumentation itself (never the client's own errors). */
export type InstrumentationErrorHandler = (error: unknown, source: FaultSource) => void;

const warned = new Set<FaultSource>();

/**
 * The default handler: one `process.emitWarning` per distinct source, so a tracer that throws
 * on every call is reported once, not once per request.
 */
export const warnOncePerSource: InstrumentationErrorHandler = (error, source) => {
  if (warned.has(source)) return;
  warned.add(source);
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  process.emitWarning(`traced-clients: ${source} failed (${detail}); the traced call went on untraced`, {
    type: 'TracedClientsWarning',
    code: 'TRACED_CLIENTS_INSTRUMENTATION_ERROR',
  });
};

/** Test seam: forget which sources already warned. */
export function resetWarnings(): void {
  warned.clear();
}

interface ConfigWithHandler {
  onInstrumentationError: InstrumentationErrorHandler;
}

/**
 * Reports a fault of the instrumentation. Never throws: a handler that throws is itself
 * reported through the default handler, and that one cannot fail in a way that matters.
 */
export function reportFault(error: unknown, source: FaultSource, handler?: InstrumentationErrorHandler): void {
  const chosen =
    handler ?? (state.config as ConfigWithHandler | undefined)?.onInstrumentationError ?? warnOncePerSource;
  try {
    chosen(error, source);
  } catch (handlerError) {
    if (chosen !== warnOncePerSource) {
      try {
        warnOncePerSource(handlerError, 'onInstrumentationError');
      } catch {
        // emitWarning itself failed: there is nowhere left to report to.
      }
    }
  }
}

/**
 * Runs instrumentation code (a user hook, a tag computation) in "catch and report" mode:
 * whatever it throws goes to the fault handler, and the caller gets `undefined`. The one
 * guarded-call helper for our own code; the client call itself is never run through this.
 */
export function guard<R>(source: FaultSource, fn: () => R, handler?: InstrumentationErrorHandler): R | undefined {
  try {
    const result = fn();
    // A hook declared `async` fails by rejecting; report that too, instead of leaving an
    // unhandled rejection that could take the process down.
    if (isThenable(result)) {
      result.then(undefined, (error: unknown) => reportFault(error, source, handler));
    }
    return result;
  } catch (error) {
    reportFault(error, source, handler);
    return undefined;
  }
}

/** True for promises and any object with a callable `then`. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  if (value instanceof Promise) return true;
  try {
    return typeof (value as { then?: unknown }).then === 'function';
  } catch {
    // A result whose `then` getter throws (a hostile Proxy): the caller's own `await` will meet
    // that; for us it is simply not a thenable, and the call must not fail here.
    return false;
  }
}
