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

/** A span of the `span-floor` variant, as the workloads handle it. */
export interface FloorSpan {
  finish(): void;
}

/**
 * The hand-made spans of the `span-floor` variant: a bare shim span, parent looked up per op.
 * Clients that carry context across a process boundary (HTTP, AMQP) cannot be correct without
 * injecting and extracting it, so their floor does that too — the least a correct wrapper of
 * such a client can cost.
 */
export interface FloorSpans {
  /** A child of the current span, or of `parent` (an extracted context) when given. */
  startSpan(name: string, parent?: unknown): FloorSpan;
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

export interface Session {
  /** One operation; resolves when it is complete. */
  op(): Promise<unknown>;
  /** Set when the workload made its own floor spans (else the worker wraps `op` in one). */
  readonly floorHandled?: boolean;
  close(): Promise<void>;
}

export interface Workload {
  readonly name: string;
  /** A TCP service that must answer first (DynamoDB and HTTP run in-process). */
  readonly service?: 'pg' | 'mysql' | 'redis' | 'amqp';
  readonly scenarios: readonly Scenario[];
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
