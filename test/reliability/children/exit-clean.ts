/**
 * Child of the "exits on its own" check: traced kv calls of every style with the test tracer,
 * then nothing. If the core left a timer, listener or handle behind, this process would not
 * end and the parent's deadline would kill it.
 */
import { configure } from '../../../src/core/index.js';
import { KvClient, tracedKv } from '../../helpers/kv-client.js';
import { createTestTracing } from '../../helpers/tracing.js';
import { reportResult } from '../lib/child.js';

const tracing = createTestTracing();
configure({ tracer: tracing.tracer, onInstrumentationError: () => {} });
const kv = tracedKv(new KvClient());
await kv.set('a', '1');
await kv.get('a');
await kv.get('fail').catch(() => undefined);
await new Promise((resolve) => kv.getCb('a', resolve));
kv.getSync('a');
await kv.getLater('a');
await new Promise((resolve) => kv.scan().once('end', resolve));
reportResult({ spans: tracing.spans().length, unfinished: tracing.unfinished() });
