/**
 * What a failed HTTP request was: an abort (the caller's signal, `AbortSignal.timeout`, an
 * undici timeout) or a network failure, and its low-cardinality `error.kind`.
 */
import { defaultErrorKind } from '../../core/index.js';

/** The outcome of {@link classifyFailure}. */
export interface Failure {
  /** Ended by an abort signal or a timeout. */
  readonly aborted: boolean;
  /** `error.kind`: the abort reason's or timeout's name, else the network error's code or name. */
  readonly kind: string;
}

/** An abort signal, or an undici dispatch controller: both say whether and why they aborted. */
export interface AbortState {
  readonly aborted: boolean;
  readonly reason?: unknown;
}

// undici's own timeouts: an abort undici made on the caller's behalf.
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);
const ABORT_NAMES = new Set(['AbortError', 'TimeoutError']);

function nameOf(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const name = (value as { name?: unknown }).name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

function codeOf(value: unknown): unknown {
  return value !== null && typeof value === 'object' ? (value as { code?: unknown }).code : undefined;
}

/**
 * fetch rejects network failures with `TypeError('fetch failed')` whose `cause` is the real
 * error (`ECONNREFUSED`, `ENOTFOUND`, an undici timeout): classify by the cause.
 */
function underlying(error: unknown): unknown {
  if (error instanceof TypeError && error.cause !== undefined && error.cause !== null) return error.cause;
  return error;
}

/** Classifies the error a request failed with; `signals` are the request's abort signal and/or controller. */
export function classifyFailure(error: unknown, ...signals: (AbortState | null | undefined)[]): Failure {
  for (const signal of signals) {
    // A reason that is not an error object (`controller.abort('bye')`) could be any text: the
    // kind stays the fixed `AbortError`.
    if (signal?.aborted === true) return { aborted: true, kind: nameOf(signal.reason) ?? 'AbortError' };
  }
  const cause = underlying(error);
  const code = codeOf(cause);
  if (typeof code === 'string' && (TIMEOUT_CODES.has(code) || code === 'UND_ERR_ABORTED')) {
    return { aborted: true, kind: nameOf(cause) ?? code };
  }
  const name = nameOf(cause);
  // DOMException's numeric legacy `code` (20 for AbortError) is no kind: use its name.
  if (name !== undefined && ABORT_NAMES.has(name)) return { aborted: true, kind: name };
  return { aborted: false, kind: defaultErrorKind(cause) };
}
