/**
 * A workload: one client library against one real service, with its scenarios (how many
 * operations in flight), the raw client, the traced client, and OpenTelemetry's own
 * instrumentation for it. Workload modules import the client library only as a type and
 * `require` it inside `setup`, after the worker has registered the OTel instrumentation (the
 * instrumentations patch through `require`).
 */
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { Tracer } from 'opentracing';
import type { Variant } from '../lib/protocol.js';
import type { ExpectedSpans } from '../lib/stats.js';

export interface Scenario {
  /** Short id: `seq`, `c64`, `pipeline100`. */
  readonly name: string;
  /** Operations in flight (1 = sequential). */
  readonly concurrency: number;
  readonly title: string;
  readonly expectedSpans?: ExpectedSpans;
}

/** Tags of a `span-floor` span, built once per session and handed to every span. */
export type FloorTags = Readonly<Record<string, string | number | boolean>>;

/** A span of the `span-floor` variant, as the workloads handle it. */
export interface FloorSpan {
  setTag(key: string, value: string | number | boolean): void;
  finish(): void;
}

/**
 * The hand-made spans of the `span-floor` variant: a shim span per operation, parent looked
 * up per op, carrying the tags the design's table names for the client (`floor-tags.ts`) and
 * nothing more. Clients that carry context across a process boundary (HTTP, AMQP) cannot be
 * correct without injecting and extracting it, so their floor does that too — the least a
 * correct wrapper of such a client can cost.
 */
export interface FloorSpans {
  /**
   * A child of the current span, or of `parent` (an extracted context) when given, with
   * `tags` as its start tags (one object, the cheapest way a tracer takes them).
   */
  startSpan(name: string, tags: FloorTags, parent?: unknown): FloorSpan;
  /** Writes the span's context into `carrier` (W3C headers through the shim). */
  inject(span: FloorSpan, carrier: Record<string, string>): void;
  /** Reads a context back from `carrier`; `undefined` when it holds none. */
  extract(carrier: Record<string, unknown> | undefined): unknown;
}

export interface SetupContext {
  readonly scenario: Scenario;
  readonly variant: Variant;
  /** For `noop` and `traced`: the tracer to hand to the traced client. */
  readonly tracer: Tracer | undefined;
  /** For `span-floor`: workloads with more than one span per op make them themselves. */
  readonly floor: FloorSpans | undefined;
  /** `require` for the client libraries (CommonJS, so OTel's require hooks see them). */
  readonly require: NodeRequire;
}

/** The `span-floor` span the worker wraps around each op of a workload with one span per op. */
export interface FloorOp {
  /** The operation name the traced client gives the span (`pg:SELECT`). */
  readonly name: string;
  /** Everything known before the call: set at the start, in one object. */
  readonly tags: FloorTags;
  /** Tags only the result gives (a request id), set before the span finishes. */
  readonly onResult?: (span: FloorSpan, result: unknown) => void;
}

export interface Session {
  /** One operation; resolves when it is complete. */
  op(): Promise<unknown>;
  /** Under `span-floor`: the span the worker wraps around `op` (unless `floorHandled`). */
  readonly floorOp?: FloorOp;
  /** Set when the workload made its own floor spans (else the worker wraps `op` in `floorOp`). */
  readonly floorHandled?: boolean;
  close(): Promise<void>;
}

export interface Workload {
  readonly name: string;
  /** A TCP service that must answer first (DynamoDB and HTTP run in-process). */
  readonly service?: 'pg' | 'mysql' | 'redis' | 'amqp';
  readonly scenarios: readonly Scenario[];
  /**
   * The running time (ms) one process of this workload needs before its speed stops climbing,
   * when that is longer than the run's warm-up: the run then warms every variant this long.
   */
  readonly warmupMs?: number;
  /** OpenTelemetry's instrumentation of this client (not enabled; the worker registers it). */
  otel(): Promise<Instrumentation[]>;
  setup(context: SetupContext): Promise<Session>;
}

/** True for the variants that run our traced client. */
export const usesTracedClient = (variant: Variant): boolean => variant === 'noop' || variant === 'traced';

/**
 * The traced-client factory for the variant (loaded before any raw client exists, so a client
 * that has not landed fails before opening connections), or `undefined` for the raw client.
 */
export async function tracedFactory<W>(
  context: SetupContext,
  load: (tracer: import('opentracing').Tracer) => Promise<W>,
): Promise<W | undefined> {
  return usesTracedClient(context.variant) && context.tracer !== undefined ? load(context.tracer) : undefined;
}
