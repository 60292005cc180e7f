/**
 * One variant of one workload scenario, in its own Node process (started by `bench/run.ts`):
 * sets up the variant's tracing, builds the client, warms up, prints a ready line, then waits.
 * Each `{"ms":500}` line on stdin runs one measured window with the scenario's concurrency and
 * prints one result line (ops, elapsed, CPU, spans exported); `{"close":true}` ends it. The
 * process stays up for the whole scenario, so the orchestrator can interleave many short
 * windows of all variants without paying start-up and warm-up for each.
 *
 *   echo '{"ms":1000}' | node bench/.build/worker.mjs '{"workload":"pg","scenario":"seq","variant":"raw","warmupMs":300}'
 *
 * Client libraries are loaded with `require` (they are CommonJS), after OpenTelemetry's
 * instrumentation has been registered in the `otel` variant: its require hooks patch them.
 */
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { floorOn, inFloorSpan } from './lib/floor.js';
import { runFor } from './lib/loop.js';
import { startProfiler } from './lib/profiler.js';
import {
  EXIT_NOT_LANDED,
  READY_MARKER,
  RESULT_MARKER,
  type WindowCommand,
  type WorkerResult,
  type WorkerSpec,
} from './lib/protocol.js';
import { createSdk, type Sdk } from './lib/tracing.js';
import { noopTracer, spanInContext } from './traced/load.js';
import { workload } from './workloads/index.js';
import type { FloorSpans } from './workloads/types.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as WorkerSpec;
const wl = workload(spec.workload);
const scenario = wl.scenarios.find((s) => s.name === spec.scenario);
if (scenario === undefined) throw new Error(`${spec.workload} has no scenario ${spec.scenario}`);

let sdk: Sdk | undefined;
let tracer: import('opentracing').Tracer | undefined;
let floor: FloorSpans | undefined;
/** Runs `fn` with the variant's parent span current (a recording app always has one). */
let inParent: <R>(fn: () => R) => R = (fn) => fn();

switch (spec.variant) {
  case 'raw':
    break;
  case 'noop':
    // Our own cost: the traced client with the opentracing no-op tracer, no parent.
    tracer = noopTracer();
    break;
  case 'traced': {
    sdk = createSdk();
    tracer = sdk.shim;
    const inContext = await spanInContext().catch(notLanded);
    const parent = sdk.shim.startSpan('bench-parent'); // never finished, so never counted
    inParent = (fn) => inContext(parent, fn);
    break;
  }
  case 'span-floor': {
    // The least a conforming OpenTracing wrapper can do (lib/floor.ts): find the parent, start a
    // span under it with the design's tags for the client, finish it when the op settles.
    sdk = createSdk();
    const made = floorOn(sdk.shim);
    floor = made.spans;
    inParent = made.inParent;
    break;
  }
  case 'otel': {
    sdk = createSdk();
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    // Same propagation work as our clients do (they inject W3C headers through the shim).
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(sdk.provider);
    registerInstrumentations({ instrumentations: await wl.otel(), tracerProvider: sdk.provider });
    const parent = sdk.provider.getTracer('bench').startSpan('bench-parent');
    inParent = (fn) => context.with(trace.setSpan(context.active(), parent), fn);
    break;
  }
  default:
    throw new Error(`unknown variant ${String(spec.variant)}`);
}

function notLanded(error: unknown): never {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(EXIT_NOT_LANDED);
}

const session = await inParent(() =>
  wl.setup({ scenario, variant: spec.variant, tracer, floor, require: createRequire(import.meta.url) }),
).catch((error: unknown) => {
  if (error instanceof Error && /does not export/.test(error.message)) notLanded(error);
  throw error;
});

let op = session.op;
if (floor !== undefined && session.floorHandled !== true) {
  if (session.floorOp === undefined) throw new Error(`${wl.name}: span-floor needs the session's floorOp`);
  op = inFloorSpan(floor, session.floorOp, op);
}

const concurrency = scenario.concurrency;
await inParent(() => runFor(op, concurrency, spec.warmupMs));
if (sdk !== undefined) await sdk.provider.forceFlush();

/** One measured window: ops, wall time, CPU, and the spans exported for exactly these ops. */
async function measure(command: WindowCommand): Promise<WorkerResult> {
  if (sdk !== undefined) sdk.exporter.reset();
  const profiler = command.profile === true ? await startProfiler() : undefined;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const ops = await inParent(() => runFor(op, concurrency, command.ms));
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const attribution = profiler === undefined ? undefined : (await profiler.stop()).us;
  if (sdk !== undefined) await sdk.provider.forceFlush();
  return {
    workload: spec.workload,
    scenario: spec.scenario,
    variant: spec.variant,
    ops,
    elapsedMs,
    cpuUs: cpu.user + cpu.system,
    spans: sdk?.exporter.count ?? 0,
    tags: sdk?.exporter.tags ?? 0,
    ...(attribution === undefined ? {} : { attribution }),
  };
}

const write = (line: string) => new Promise<void>((resolve) => process.stdout.write(`${line}\n`, () => resolve()));

await write(READY_MARKER);
// Idle between windows (reading stdin costs nothing): the orchestrator runs one variant at a time.
for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as WindowCommand | { readonly close: true };
  if ('close' in command) break;
  await write(`${RESULT_MARKER}${JSON.stringify(await measure(command))}`);
}
await session.close();
await sdk?.provider.shutdown();
// Exit explicitly: a client library's idle sockets or timers must not hold the bench up.
process.exit(0);
