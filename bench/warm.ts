/**
 * Each client's recorded path, warm: our traced client against the `span-floor` of the client
 * workloads (the raw call inside one bare shim span made by hand, context injected where the
 * client propagates) and the raw call, on a stand-in of the client that answers at once, in
 * one process, interleaved round by round; medians in µs per call.
 *
 * The client workloads measure against real servers on a machine whose idle vCPUs wake slowly,
 * which magnifies whatever the client does between wake-ups (bench/README, sessions 5 and 6):
 * there, "traced − span-floor" reads several times its warm size. This isolates the part that
 * is ours to cut. mysql2's promise layer is the real one (only its core pool answers at once):
 * the stack it captures on every query costs per frame below it.
 *
 *   npm run build && npx tsx bench/warm.ts [rounds=7] [callsPerRound=40000]
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { FORMAT_HTTP_HEADERS, type Span, Tracer } from 'opentracing';
import { median } from './lib/stats.js';
import { createSdk } from './lib/tracing.js';
import { exported, spanInContext } from './traced/load.js';

type Call = () => Promise<unknown>;
type Wrap = <T extends object>(client: T, options: { tracer: Tracer }) => T;

interface Client {
  readonly name: string;
  readonly raw: Call;
  /** `client` traced with `tracer`. */
  readonly traced: (tracer: Tracer) => Promise<Call>;
  /** The raw call inside a bare span (`inject` when the client propagates). */
  readonly floor: (span: Span, inject: (span: Span) => Record<string, string>) => Promise<unknown>;
}

const rounds = Number(process.argv[2] ?? 7);
const calls = Number(process.argv[3] ?? 40_000);
const require = createRequire(import.meta.url);
const sdk = createSdk();
const floorContext = new AsyncLocalStorage<Span>();

function fetchClient(): Client {
  const url = 'http://127.0.0.1:3000/bench';
  const response = { status: 200, statusText: 'OK', ok: true, url, headers: new Headers() };
  const fetch = async (_input: string, _init?: RequestInit) => response;
  return {
    name: 'fetch GET',
    raw: () => fetch(url),
    async traced(tracer) {
      const tracedFetch = await exported<Wrap>('tracedFetch');
      const traced = tracedFetch(fetch, { tracer });
      return () => traced(url);
    },
    floor: (span, inject) => fetch(url, { headers: inject(span) }),
  };
}

/** A client that does not propagate: one method called the same way raw, traced and in the floor span. */
function plainClient<T extends object>(
  name: string,
  factory: string,
  client: T,
  call: (client: T) => Promise<unknown>,
): Client {
  return {
    name,
    raw: () => call(client),
    async traced(tracer) {
      const traced = (await exported<Wrap>(factory))(client, { tracer });
      return () => call(traced);
    },
    floor: () => call(client),
  };
}

function redisClient(): Client {
  const Redis = require('ioredis') as typeof import('ioredis').default;
  const client = Object.create(new Redis({ lazyConnect: true })) as InstanceType<typeof Redis>;
  // Answers at once; everything else (options, command table) is the real client's.
  Object.assign(client, { get: async (_key: string) => 'value' });
  return plainClient('ioredis GET', 'tracedRedis', client, (redis) => redis.get('bench:key'));
}

function pgClient(): Client {
  const { Pool } = require('pg') as typeof import('pg');
  const pool = new Pool({ host: '127.0.0.1', database: 'test', max: 1 });
  const result = { rows: [{ one: 1 }], rowCount: 1, command: 'SELECT', fields: [], oid: 0 };
  Object.assign(pool, { query: async (_text: string) => result });
  return plainClient('pg SELECT 1', 'tracedPg', pool, (pg) => pg.query('SELECT 1'));
}

function mysqlClient(): Client {
  const mysql = require('mysql2/promise') as typeof import('mysql2/promise');
  const pool = mysql.createPool({ host: '127.0.0.1', user: 'root', database: 'test', connectionLimit: 1 });
  type Done = (error: Error | null, rows: unknown, fields: unknown) => void;
  // The core pool answers at once; the promise layer above it (and its stack capture) is mysql2's.
  Object.assign(pool.pool, {
    query: (_sql: string, values: unknown, done?: Done) =>
      ((typeof values === 'function' ? values : done) as Done)(null, [{ one: 1 }], []),
  });
  return plainClient('mysql2 SELECT 1 (promise)', 'tracedMysql', pool, (mysql2) => mysql2.query('SELECT 1'));
}

const inject = (span: Span): Record<string, string> => {
  const headers: Record<string, string> = {};
  sdk.shim.inject(span.context(), FORMAT_HTTP_HEADERS, headers);
  return headers;
};

function floorCall(client: Client): Call {
  return async () => {
    const span = sdk.shim.startSpan('floor', { childOf: floorContext.getStore() });
    try {
      return await client.floor(span, inject);
    } finally {
      span.finish();
    }
  };
}

async function time(call: Call): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await call();
  return Number(process.hrtime.bigint() - started) / calls / 1000;
}

const inContext = await spanInContext();
const parent = sdk.shim.startSpan('bench-parent'); // never finished, so never exported
const names = ['raw', 'noop', 'span-floor', 'traced'] as const;
console.log(`warm, ${rounds} rounds × ${calls} calls, medians (µs per call)\n`);
console.log('client                       raw    noop−raw  floor−raw  traced−raw  traced−floor');
for (const client of [fetchClient(), redisClient(), pgClient(), mysqlClient()]) {
  // Each variant runs as a recording app would: under a current span (ours, or the floor's own).
  const variants: Record<(typeof names)[number], () => Promise<number>> = {
    raw: () => time(client.raw),
    noop: await client.traced(new Tracer()).then((call) => () => time(call)),
    'span-floor': () => floorContext.run(parent, () => time(floorCall(client))),
    traced: await client.traced(sdk.shim).then((call) => () => inContext(parent, () => time(call))),
  };
  const samples: Record<(typeof names)[number], number[]> = { raw: [], noop: [], 'span-floor': [], traced: [] };
  for (const run of Object.values(variants)) await run(); // warm-up
  for (let round = 0; round < rounds; round++) {
    for (const name of names) samples[name].push(await variants[name]());
  }
  const raw = median(samples.raw);
  const noop = median(samples.noop);
  const floor = median(samples['span-floor']);
  const traced = median(samples.traced);
  const cell = (x: number, width: number) => x.toFixed(2).padStart(width);
  console.log(
    `${client.name.padEnd(26)} ${cell(raw, 6)} ${cell(noop - raw, 10)} ${cell(floor - raw, 10)} ${cell(traced - raw, 11)} ${cell(traced - floor, 13)}`,
  );
}
await sdk.provider.forceFlush();
console.log(`\nspans exported: ${sdk.exporter.count}`);
await sdk.provider.shutdown();
