import type { Tracer } from 'opentracing';
import { state } from '../context/index.js';
import { type InstrumentationErrorHandler, warnOncePerSource } from './faults.js';

/**
 * The process-wide settings (the Python original's `CONFIG`). Every traced client reads them
 * and its own options override them, per instance.
 */
export interface TracedClientsConfig {
  /**
   * Inbound request headers that name the calling service; the first present one becomes
   * `peer.service` of server spans. Matched case-insensitively.
   * @default []
   */
  readonly callerNameHeaders: readonly string[];
  /**
   * Outbound request headers that name the service being called; the first present one
   * becomes `peer.service` of HTTP client spans. Matched case-insensitively.
   * @default []
   */
  readonly calleeNameHeaders: readonly string[];
  /**
   * Outbound request headers that name the endpoint being called; the first present one
   * makes the HTTP client span's operation name `METHOD:endpoint`.
   * @default []
   */
  readonly calleeEndpointHeaders: readonly string[];
  /**
   * Receives faults of the instrumentation itself: a tracer, hook or tag computation that
   * threw. The traced call goes on regardless.
   * @default one `process.emitWarning` per distinct fault source
   */
  readonly onInstrumentationError: InstrumentationErrorHandler;
  /**
   * Skip spans for calls made with no current span.
   * @default false
   */
  readonly requireParentSpan: boolean;
  /**
   * The tracer clients use when their options name none. `undefined` means
   * `opentracing.globalTracer()`, read at each call so `initGlobalTracer` may come later.
   * @default undefined
   */
  readonly tracer: Tracer | undefined;
  /**
   * Longest statement (SQL, Redis command, URL) recorded in a tag; longer ones are cut and
   * end in a visible truncation marker.
   * @default 2048
   */
  readonly maxStatementLength: number;
  /**
   * Query parameters whose values are masked in recorded URLs. A string matches any
   * parameter whose name contains it (case-insensitively, ignoring `-` and `_`); a RegExp is
   * tested against the raw name.
   * @default DEFAULT_SECRET_QUERY_PARAMS
   */
  readonly secretQueryParams: readonly (string | RegExp)[];
  /**
   * Headers never recorded in a tag, whatever allow-list an option gives.
   * @default DEFAULT_REDACTED_HEADERS
   */
  readonly redactedHeaders: readonly string[];
  /**
   * Log the raw error object as `error.object` on error spans (the OpenTracing convention).
   * Off by default: driver errors carry user data on their own fields (pg `detail`, ioredis
   * `command.args`, mysql2 `sql`, DynamoDB `Item`) and tracers such as jaeger-client serialize
   * the whole object into the log. `error.kind`, `message` and `stack` are always logged.
   * Never logged for an error whose message a client had to clean, whatever this says.
   * @default false
   */
  readonly recordErrorObjects: boolean;
}

/** Names that make a query parameter secret-looking (substring match). */
export const DEFAULT_SECRET_QUERY_PARAMS: readonly (string | RegExp)[] = Object.freeze([
  'password',
  'passwd',
  'pwd',
  'secret',
  'token',
  'apikey',
  'key',
  'auth',
  'signature',
  'sig',
  'credential',
  'session',
  'jwt',
  'otp',
  /^code$/i,
]);

/** Headers that carry credentials. */
export const DEFAULT_REDACTED_HEADERS: readonly string[] = Object.freeze([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-auth-token',
]);

const DEFAULTS: TracedClientsConfig = Object.freeze({
  callerNameHeaders: Object.freeze([]),
  calleeNameHeaders: Object.freeze([]),
  calleeEndpointHeaders: Object.freeze([]),
  onInstrumentationError: warnOncePerSource,
  requireParentSpan: false,
  tracer: undefined,
  maxStatementLength: 2048,
  secretQueryParams: DEFAULT_SECRET_QUERY_PARAMS,
  redactedHeaders: DEFAULT_REDACTED_HEADERS,
  recordErrorObjects: false,
});

/** What `configure()` accepts: any subset of the config. */
export type ConfigureOptions = { -readonly [K in keyof TracedClientsConfig]?: TracedClientsConfig[K] };

type Validator<K extends keyof TracedClientsConfig> = (value: unknown, key: string) => TracedClientsConfig[K];

const headerList = (value: unknown, key: string): readonly string[] => {
  if (!Array.isArray(value) || value.some((h) => typeof h !== 'string' || h === '')) {
    throw new TypeError(`configure: ${key} must be an array of header names, got ${describe(value)}`);
  }
  return Object.freeze(value.map((h: string) => h.toLowerCase()));
};

// Every key names its validation/normalisation here, so the compiler flags a new key that
// has no rule (the same idea as ky's options registry).
const RULES: { readonly [K in keyof TracedClientsConfig]-?: Validator<K> } = {
  callerNameHeaders: headerList,
  calleeNameHeaders: headerList,
  calleeEndpointHeaders: headerList,
  redactedHeaders: headerList,
  onInstrumentationError: (value, key) => {
    if (typeof value !== 'function')
      throw new TypeError(`configure: ${key} must be a function, got ${describe(value)}`);
    return value as InstrumentationErrorHandler;
  },
  requireParentSpan: (value, key) => boolean(value, key),
  recordErrorObjects: (value, key) => boolean(value, key),
  tracer: (value, key) => {
    if (value !== undefined && (value === null || typeof (value as Tracer).startSpan !== 'function')) {
      throw new TypeError(`configure: ${key} must be an OpenTracing Tracer or undefined, got ${describe(value)}`);
    }
    return value as Tracer | undefined;
  },
  maxStatementLength: (value, key) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 16) {
      throw new TypeError(`configure: ${key} must be an integer >= 16, got ${describe(value)}`);
    }
    return value;
  },
  secretQueryParams: (value, key) => {
    if (!Array.isArray(value) || value.some((p) => typeof p !== 'string' && !(p instanceof RegExp))) {
      throw new TypeError(`configure: ${key} must be an array of strings and RegExps, got ${describe(value)}`);
    }
    return Object.freeze([...value]);
  },
};

function boolean(value: unknown, key: string): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`configure: ${key} must be a boolean, got ${describe(value)}`);
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array with an invalid entry';
  return typeof value === 'string' ? `"${value}"` : typeof value;
}

/** The config in force. */
export function getConfig(): TracedClientsConfig {
  return (state.config as TracedClientsConfig | undefined) ?? DEFAULTS;
}

/**
 * Changes process-wide settings; keys not given keep their current value. Invalid values
 * throw a `TypeError` naming the key, and then nothing is changed. Traced clients pick the
 * change up at their next call, also those wrapped before.
 *
 * @example
 * configure({ calleeNameHeaders: ['x-service-name'], maxStatementLength: 4096 });
 */
export function configure(options: ConfigureOptions = {}): TracedClientsConfig {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`configure expects an options object, got ${describe(options)}`);
  }
  const next: Record<string, unknown> = { ...getConfig() };
  for (const key of Object.keys(options) as (keyof TracedClientsConfig)[]) {
    const rule = RULES[key] as Validator<typeof key> | undefined;
    if (rule === undefined) throw new TypeError(`configure: unknown option "${String(key)}"`);
    const value = options[key];
    next[key] = value === undefined && key !== 'tracer' ? DEFAULTS[key] : rule(value, key);
  }
  state.config = Object.freeze(next) as unknown as TracedClientsConfig;
  state.configVersion++;
  return getConfig();
}

/** Back to the library defaults (tests, or an app that reconfigures from scratch). */
export function resetConfig(): TracedClientsConfig {
  state.config = undefined;
  state.configVersion++;
  return DEFAULTS;
}
