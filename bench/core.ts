/**
 * The core's own cost per call: a raw in-process method against the same method traced by the
 * core (Instrumentation + traceCall + tracedProxy) with the opentracing no-op tracer, and with
 * the OpenTelemetry SDK behind the shim, measured in the same process and run, interleaved
 * over several rounds; medians reported. Client workloads against real servers live beside it.
 *
 *   npx tsx bench/core.ts [rounds=7] [callsPerRound=200000]
 */
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { TracerShim } from '@opentelemetry/shim-opentracing';
import { Tracer } from 'opentracing';
import {
  type CallStyle,
  Instrumentation,
  SPAN_KIND,
  type TracingOptions,
  traceCall,
  tracedProxy,
} from '../src/core/index.js';
import { median } from './lib/stats.js';
import { CountingExporter } from './lib/tracing.js';

class Store {
  value = 1;
  read(key: string): number {
    return key.length + this.value;
  }
  async readAsync(key: string): Promise<number> {
    return key.length + this.value;
  }
}

function traced(store: Store, options: TracingOptions): Store {
  const instrumentation = new Instrumentation({
    component: 'bench',
    spanKind: SPAN_KIND.CLIENT,
    fixedTags: { 'peer.hostname': 'localhost', 'peer.port': 1 },
    options,
  });
  const method = (name: string, style: CallStyle) => (original: (...args: never[]) => unknown, target: Store) =>
    function (this: unknown, ...args: unknown[]) {
      const span = instrumentation.start(name);
      if (span === undefined) return Reflect.apply(original, target, args);
      return traceCall(instrumentation as Instrumentation, span, original, target, args, undefined, style);
    };
  return tracedProxy(store, { read: method('bench:read', 'sync'), readAsync: method('bench:readAsync', 'promise') });
}

const rounds = Number(process.argv[2] ?? 7);
const calls = Number(process.argv[3] ?? 200_000);
const exporter = new CountingExporter();
const provider = new BasicTracerProvider({
  spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 1 << 16 })],
});
const propagator = new W3CTraceContextPropagator();
const otel = new TracerShim(provider.getTracer('bench'), {
  httpHeadersPropagator: propagator,
  textMapPropagator: propagator,
});

const variants: Record<string, Store> = {
  raw: new Store(),
  noop: traced(new Store(), { tracer: new Tracer() }),
  otel: traced(new Store(), { tracer: otel }),
};

function runSync(store: Store): number {
  let sink = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) sink += store.read('key');
  const elapsed = Number(process.hrtime.bigint() - started);
  if (sink === 0) throw new Error('unreachable');
  return elapsed / calls;
}

async function runAsync(store: Store): Promise<number> {
  const n = calls / 4;
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await store.readAsync('key');
  return Number(process.hrtime.bigint() - started) / n;
}

const results: Record<string, { sync: number[]; async: number[] }> = {};
for (const name of Object.keys(variants)) results[name] = { sync: [], async: [] };

// Warm-up, then interleave the variants round by round so drift hits all of them alike.
for (const store of Object.values(variants)) {
  runSync(store);
  await runAsync(store);
}
for (let round = 0; round < rounds; round++) {
  for (const [name, store] of Object.entries(variants)) {
    results[name]?.sync.push(runSync(store));
    results[name]?.async.push(await runAsync(store));
  }
}
await provider.forceFlush();

const raw = results.raw as { sync: number[]; async: number[] };
console.log(`core overhead, ${rounds} rounds × ${calls} calls, medians (ns per call)\n`);
console.log('variant  sync ns  added ns  ratio   async ns  added ns  ratio');
for (const [name, r] of Object.entries(results)) {
  const s = median(r.sync);
  const a = median(r.async);
  const rs = median(raw.sync);
  const ra = median(raw.async);
  console.log(
    `${name.padEnd(7)} ${s.toFixed(1).padStart(8)} ${(s - rs).toFixed(1).padStart(9)} ${(rs / s).toFixed(3).padStart(6)}  ${a
      .toFixed(1)
      .padStart(9)} ${(a - ra).toFixed(1).padStart(9)} ${(ra / a).toFixed(3).padStart(6)}`,
  );
}
console.log(`\nspans exported by the otel variant: ${exporter.count}`);

// What tags cost in the SDK itself. The span-floor variant of the client benchmarks records
// bare spans; a client records its conventional tags (here the 6 start tags and 1 per-call
// tag of an ioredis GET). This is the part of "traced − span-floor" no wrapper can avoid.
const parentSpan = otel.startSpan('bench-parent');
const startTags = {
  'span.kind': 'client',
  component: 'ioredis',
  'db.type': 'redis',
  'db.instance': '0',
  'peer.hostname': 'localhost',
  'peer.port': 6379,
};
const spanShapes: Record<string, () => void> = {
  'bare span': () => otel.startSpan('redis:GET', { childOf: parentSpan }).finish(),
  '6 start tags + 1 setTag': () =>
    otel.startSpan('redis:GET', { childOf: parentSpan, tags: startTags }).setTag('db.statement', 'GET k').finish(),
};
const spanNs: Record<string, number[]> = Object.fromEntries(Object.keys(spanShapes).map((name) => [name, []]));
const timeShape = (fn: () => void): number => {
  const n = calls / 4;
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - started) / n;
};
for (const fn of Object.values(spanShapes)) timeShape(fn);
for (let round = 0; round < rounds; round++) {
  for (const [name, fn] of Object.entries(spanShapes)) spanNs[name]?.push(timeShape(fn));
}
const bare = median(spanNs['bare span'] ?? []);
console.log('\nan SDK span through the shim, start + finish, medians (ns per span)\n');
for (const [name, ns] of Object.entries(spanNs)) {
  console.log(`${name.padEnd(24)} ${median(ns).toFixed(0).padStart(6)} ns  (+${(median(ns) - bare).toFixed(0)} ns)`);
}
await provider.shutdown();
