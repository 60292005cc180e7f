/**
 * Runs user code inside a span: the span is current while the code runs (so traced calls
 * made there become its children) and settles by how the code ends. Used where the package
 * calls the user (a message consumer's handler), as opposed to `traceCall`, where the user
 * calls a client.
 */
import { spanInContext } from '../context/index.js';
import { isThenable } from './faults.js';
import { type SpanSettler, watchSettlement } from './lifecycle.js';

/** Options of {@link runInSpan}. */
export interface RunInSpanOptions {
  /**
   * Nobody awaits the returned promise (an event or message handler whose result the
   * library ignores). Then a rejection must still surface as an `unhandledRejection`, with the
   * very same reason, as it does without tracing: watching the promise for the span would
   * otherwise mark it handled and swallow the failure.
   * @default false
   */
  readonly unobserved?: boolean;
}

/**
 * Calls `fn` with `this` = `self` and `args`, `settler.span` current, and settles the span
 * exactly once: on return, on throw (re-thrown unchanged) or when a returned promise or
 * thenable settles. Returns what `fn` returns: the very same object, or for a plain promise
 * the promise derived from it (see `watchSettlement`).
 */
export function runInSpan<R>(
  settler: SpanSettler<unknown>,
  fn: (...args: never[]) => R,
  self: unknown,
  args: readonly unknown[],
  options?: RunInSpanOptions,
): R {
  let result: R;
  try {
    result = spanInContext(settler.span, () => Reflect.apply(fn, self, args) as R);
  } catch (error) {
    settler.fail(error);
    throw error;
  }
  if (!isThenable(result)) {
    settler.succeed(result);
    return result;
  }
  if (options?.unobserved !== true) return watchSettlement(settler, result as PromiseLike<unknown>) as R;
  try {
    // The derived promise rejects with the same reason and has no handler, so Node reports
    // it exactly as it would have reported the handler's own promise.
    (result as PromiseLike<unknown>).then(
      (value) => settler.succeed(value),
      (error: unknown) => {
        settler.fail(error);
        throw error;
      },
    );
  } catch (error) {
    // A broken thenable: whoever awaits it sees the same throw.
    settler.fail(error);
  }
  return result;
}
