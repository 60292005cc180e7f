/**
 * Memory soak: N traced calls with the opentracing no-op tracer, then M with the OpenTelemetry
 * SDK behind the shim (under a parent span, as in a request), through a client wrapped by the
 * core exactly as the real clients are (test/helpers/kv-client.ts: Instrumentation, traceCall,
 * tracedProxy). Heap after a full GC is taken before and after each phase; then the process
 * is left to end by itself: `bench/run.ts` checks it exits without `process.exit` (no timers,
 * sockets or listeners left behind).
 *
 *   node --expose-gc --import tsx bench/soak.ts [noopCalls=1000000] [otelCalls=200000]
 */
import { Tracer } from 'opentracing';
import { spanInContext } from '../src/context/index.js';
import { KvClient, tracedKv } from '../test/helpers/kv-client.js';
import { RESULT_MARKER } from './lib/protocol.js';
import type { SoakPhase } from './lib/report.js';
import { createSdk } from './lib/tracing.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const noopCalls = Number(process.argv[2] ?? 1_000_000);
const otelCalls = Number(process.argv[3] ?? 200_000);

function heapAfterGc(): number {
  // Twice: the first pass can leave objects with finalizers or weak references for the next.
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

async function calls(kv: KvClient, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await kv.set(`key${i & 1023}`, 'value');
}

async function phase(tracer: 'noop' | 'otel-sdk', n: number, kv: KvClient, count: () => Promise<number>) {
  await calls(kv, 10_000); // warm-up: JIT, the client's key space, the SDK's buffers
  await count();
  const heapBeforeBytes = heapAfterGc();
  const started = performance.now();
  await calls(kv, n);
  const ms = performance.now() - started;
  const spans = await count();
  const heapAfterBytes = heapAfterGc();
  return { tracer, calls: n, ms, heapBeforeBytes, heapAfterBytes, spans } satisfies SoakPhase;
}

const phases: SoakPhase[] = [];
phases.push(await phase('noop', noopCalls, tracedKv(new KvClient(), { tracer: new Tracer() }), async () => 0));

const sdk = createSdk();
const kv = tracedKv(new KvClient(), { tracer: sdk.shim });
const parent = sdk.shim.startSpan('soak-parent');
let exported = 0;
phases.push(
  await spanInContext(parent, () =>
    phase('otel-sdk', otelCalls, kv, async () => {
      await sdk.provider.forceFlush();
      const spans = sdk.exporter.count - exported;
      exported = sdk.exporter.count;
      return spans;
    }),
  ),
);
parent.finish();
await sdk.provider.shutdown();

const activeResources = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap');
process.stdout.write(`${RESULT_MARKER}${JSON.stringify({ phases, activeResources })}\n`);
// No process.exit: the process must end by itself.
