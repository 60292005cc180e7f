/**
 * Child of the real-client memory check: `iterations` rounds, each one call of pg, mysql2,
 * Redis, DynamoDB, fetch and an AMQP publish + consume, 50 rounds at a time, with the no-op
 * tracer (`noop`) or the test tracer (`test`, spans drained after every batch). Heap after GC
 * after a warm-up and at the end; then every client is closed and the process must end by
 * itself (the parent's deadline kills it otherwise).
 *
 * usage: memory-clients.ts <noop|test> <iterations>
 */
import { Tracer } from 'opentracing';
import { configure, spanInContext } from '../../../../src/index.js';
import { createTestTracing } from '../../../helpers/tracing.js';
import { reportResult } from '../../lib/child.js';
import { heapAfterGc } from '../../lib/heap.js';
import { SpanLedger } from '../../lib/ledger.js';
import { startApp } from '../lib/app.js';

const mode = process.argv[2] === 'test' ? 'test' : 'noop';
const iterations = Number(process.argv[3] ?? 1000);
const BATCH = 50;

const tracing = createTestTracing();
const ledger = new SpanLedger(tracing);
configure({ tracer: mode === 'test' ? tracing.tracer : new Tracer(), onInstrumentationError: () => {} });
const app = await startApp();

let done = 0;
async function run(n: number): Promise<void> {
  const end = done + n;
  while (done < end) {
    const parent = mode === 'test' ? tracing.tracer.startSpan('batch') : undefined;
    // The same 50 ids every batch: DynamoDB items and the peer's header log are overwritten, not
    // accumulated, so what grows can only be the clients' (and the core's) own state.
    await spanInContext(parent, () => Promise.all(Array.from({ length: BATCH }, (_, i) => app.work(`m${i}`))));
    parent?.finish();
    done += BATCH;
    if (mode === 'test') ledger.drain();
  }
}

await run(Math.max(BATCH * 4, Math.floor(iterations / 10)));
const warm = done;
const before = await heapAfterGc();
await run(iterations);
const after = await heapAfterGc();
await app.close();
ledger.drain();
reportResult({
  mode,
  calls: (done - warm) * 7, // pg, mysql2, 2 × Redis, 2 × DynamoDB, fetch, AMQP publish (+ consume)
  growthBytes: after - before,
  counts: ledger.counts(),
  activeResources: process.getActiveResourcesInfo(),
});
