/**
 * Child of the memory check, on the kv stand-in client: `calls` traced calls with the no-op
 * tracer (`noop`) or the test tracer (`test`, spans drained every batch as an exporter
 * would), heap after GC measured after a warm-up and again at the end. Reports the growth and
 * the ledger's counts, then simply ends: the parent also checks that it exits on its own.
 *
 * usage: memory-kv.ts <noop|test> <calls>
 */
import { Tracer } from 'opentracing';
import { spanInContext } from '../../../src/context/index.js';
import { configure } from '../../../src/core/index.js';
import { KvClient, tracedKv } from '../../helpers/kv-client.js';
import { createTestTracing } from '../../helpers/tracing.js';
import { reportResult } from '../lib/child.js';
import { heapAfterGc } from '../lib/heap.js';
import { SpanLedger } from '../lib/ledger.js';

const mode = process.argv[2] === 'test' ? 'test' : 'noop';
const calls = Number(process.argv[3] ?? 100_000);
const BATCH = 1000;

const tracing = createTestTracing();
const ledger = new SpanLedger(tracing);
configure({ tracer: mode === 'test' ? tracing.tracer : new Tracer(), onInstrumentationError: () => {} });
const kv = tracedKv(new KvClient());

let done = 0;
/** Issues one batch of calls: half promise calls (`set`, settled through the core's thenable watcher), half sync. */
async function calls_(): Promise<void> {
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < BATCH; i += 2) {
    pending.push(kv.set(`k${i}`, 'v'));
    kv.getSync(`k${i}`);
  }
  await Promise.all(pending);
  done += BATCH;
}

/** One batch under a parent span of its own (as a request span would be), finished before the drain. */
async function batch(): Promise<void> {
  const parent = mode === 'test' ? tracing.tracer.startSpan('batch') : undefined;
  await spanInContext(parent, calls_);
  parent?.finish();
}

async function run(n: number): Promise<void> {
  const end = done + n;
  while (done < end) {
    await batch();
    if (mode === 'test') ledger.drain();
  }
}

// Warm-up: JIT, inline caches, the proxy's method caches, the exporter's first allocations.
await run(Math.min(50_000, Math.max(BATCH, Math.floor(calls / 10))));
const warm = done;
const before = await heapAfterGc();
await run(calls);
const after = await heapAfterGc();
const counts = ledger.counts();
reportResult({
  mode,
  calls: done - warm,
  heapBeforeBytes: before,
  heapAfterBytes: after,
  growthBytes: after - before,
  counts,
  activeResources: process.getActiveResourcesInfo(),
});
