/**
 * Child of the hot-loop memory check on one real client: `calls` ioredis `GET`s through
 * `tracedRedis`, 100 in flight, with the no-op tracer (`noop`) or the test tracer (`test`,
 * spans drained after every batch). Heap after GC after a warm-up and at the end; then the
 * client is closed and the process must end by itself.
 *
 * usage: memory-redis.ts <noop|test> <calls>
 */
import { Redis } from 'ioredis';
import { Tracer } from 'opentracing';
import { configure, spanInContext, tracedRedis } from '../../../../src/index.js';
import { endpoints, uniqueName } from '../../../helpers/services.js';
import { createTestTracing } from '../../../helpers/tracing.js';
import { reportResult } from '../../lib/child.js';
import { heapAfterGc } from '../../lib/heap.js';
import { SpanLedger } from '../../lib/ledger.js';

const mode = process.argv[2] === 'test' ? 'test' : 'noop';
const calls = Number(process.argv[3] ?? 100_000);
const IN_FLIGHT = 100;

const tracing = createTestTracing();
const ledger = new SpanLedger(tracing);
configure({ tracer: mode === 'test' ? tracing.tracer : new Tracer(), onInstrumentationError: () => {} });
const redis = tracedRedis(new Redis(endpoints.redis));
// The same keys every batch: what grows can only be the client's (and the core's) own state.
const keys = Array.from({ length: IN_FLIGHT }, () => uniqueName('mem'));

let done = 0;
async function run(n: number): Promise<void> {
  const end = done + n;
  while (done < end) {
    const parent = mode === 'test' ? tracing.tracer.startSpan('batch') : undefined;
    await spanInContext(parent, () => Promise.all(keys.map((key) => redis.get(key))));
    parent?.finish();
    done += IN_FLIGHT;
    if (mode === 'test') ledger.drain();
  }
}

await run(Math.max(IN_FLIGHT * 20, Math.floor(calls / 10)));
const warm = done;
const before = await heapAfterGc();
await run(calls);
const after = await heapAfterGc();
await redis.quit();
ledger.drain();
reportResult({
  mode,
  calls: done - warm,
  growthBytes: after - before,
  counts: ledger.counts(),
  activeResources: process.getActiveResourcesInfo(),
});
