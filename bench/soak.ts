/**
 * Memory soak. First through a client wrapped by the core exactly as the real clients are
 * (test/helpers/kv-client.ts: Instrumentation, traceCall, tracedProxy): N traced calls with
 * the opentracing no-op tracer, then M with the OpenTelemetry SDK behind the shim, under a
 * parent span as in a request. Optionally (`client`) the same through one real traced client
 * against its service (a workload of bench/workloads, at its 64-in-flight scenario). Heap after
 * a full GC is taken before and after each phase, after a warm-up. Then the process is left to
 * end by itself: `bench/run.ts` checks it exits without `process.exit` (no timers, sockets or
 * listeners left behind).
 *
 *   node --expose-gc bench/.build/soak.mjs [noopCalls=1000000] [otelCalls=200000] [client]
 *   (bench/run.ts bundles it there; `--import tsx bench/soak.ts` works too, at tsx's cost)
 */
import { createRequire } from 'node:module';
import type { Span, Tracer } from 'opentracing';
import { KvClient, tracedKv } from '../test/helpers/kv-client.js';
import { runCount } from './lib/loop.js';
import { RESULT_MARKER, type Variant } from './lib/protocol.js';
import type { SoakPhase } from './lib/report.js';
import { createSdk, type Sdk } from './lib/tracing.js';
import { noopTracer, spanInContext } from './traced/load.js';
import { workload } from './workloads/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const noopCalls = Number(process.argv[2] ?? 1_000_000);
const otelCalls = Number(process.argv[3] ?? 200_000);
const clientName = process.argv[4];

function heapAfterGc(): number {
  // Twice: the first pass can leave objects with finalizers or weak references for the next.
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

type InParent = <R>(span: Span | null | undefined, fn: () => R) => R;

async function phase(
  subject: string,
  tracer: SoakPhase['tracer'],
  calls: number,
  run: (n: number) => Promise<void>,
  sdk: Sdk | undefined,
): Promise<SoakPhase> {
  await run(Math.min(10_000, calls)); // warm-up: JIT, the client's buffers, the SDK's queue
  if (sdk !== undefined) await sdk.provider.forceFlush();
  const spansBefore = sdk?.exporter.count ?? 0;
  const heapBeforeBytes = heapAfterGc();
  const started = performance.now();
  await run(calls);
  const ms = performance.now() - started;
  if (sdk !== undefined) await sdk.provider.forceFlush();
  const spans = (sdk?.exporter.count ?? 0) - spansBefore;
  const heapAfterBytes = heapAfterGc();
  return { subject, tracer, calls, ms, heapBeforeBytes, heapAfterBytes, spans };
}

/** The no-op phase and the OTel SDK phase (under a parent span) for one subject. */
async function soak(
  subject: string,
  calls: { noop: number; otel: number },
  make: (tracer: Tracer, variant: Variant) => Promise<{ run(n: number): Promise<void>; close(): Promise<void> }>,
  inParent: InParent,
): Promise<SoakPhase[]> {
  const phases: SoakPhase[] = [];
  const noop = await make(noopTracer(), 'noop');
  phases.push(await phase(subject, 'noop', calls.noop, noop.run, undefined));
  await noop.close();

  const sdk = createSdk();
  const traced = await make(sdk.shim, 'traced');
  const parent = sdk.shim.startSpan('soak-parent');
  phases.push(await inParent(parent, () => phase(subject, 'otel-sdk', calls.otel, traced.run, sdk)));
  parent.finish();
  await traced.close();
  await sdk.provider.shutdown();
  return phases;
}

const { spanInContext: coreSpanInContext } = await import('../src/context/index.js');
const phases = await soak(
  'core (in-process client)',
  { noop: noopCalls, otel: otelCalls },
  async (tracer) => {
    const kv = tracedKv(new KvClient(), { tracer });
    return {
      async run(n) {
        for (let i = 0; i < n; i++) await kv.set(`key${i & 1023}`, 'value');
      },
      close: async () => {},
    };
  },
  coreSpanInContext,
);

const notes: string[] = [];
if (clientName !== undefined && clientName !== '') {
  // A real traced client: a tenth of the calls (they cross the network), 64 in flight.
  const wl = workload(clientName);
  const scenario = wl.scenarios.find((s) => s.concurrency > 1) ?? (wl.scenarios[0] as (typeof wl.scenarios)[0]);
  try {
    const inParent = await spanInContext();
    phases.push(
      ...(await soak(
        `${wl.name} ${scenario.name}`,
        { noop: Math.round(noopCalls / 10), otel: Math.round(otelCalls / 4) },
        async (tracer, variant) => {
          const session = await wl.setup({
            scenario,
            variant,
            tracer,
            floor: undefined,
            require: createRequire(import.meta.url),
          });
          return { run: (n) => runCount(session.op, scenario.concurrency, n), close: () => session.close() };
        },
        inParent,
      )),
    );
  } catch (error) {
    notes.push(`${clientName}: not soaked: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const activeResources = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap');
process.stdout.write(`${RESULT_MARKER}${JSON.stringify({ phases, activeResources, notes })}\n`);
// No process.exit: the process must end by itself.
