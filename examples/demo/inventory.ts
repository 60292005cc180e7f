/**
 * The "inventory" service: node:http with `tracedRequestListener`, stock in PostgreSQL (`pg`
 * through `tracedPg`), a read-through Redis cache (`tracedRedis`). Every query and cache call
 * is a child of the request's server span, which continues the caller's trace.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Redis } from 'ioredis';
import pg from 'pg';
import { tracedPg, tracedRedis, tracedRequestListener } from 'traced-clients';
import { setUpTracing } from './tracing.js';

const tracing = setUpTracing('inventory');
const db = tracedPg(new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 }), {
  peerService: 'inventory-db',
});
// Fail fast when Redis is down: the demo shows those calls as error spans and reads through.
const cache = tracedRedis(
  new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  }),
  { peerService: 'inventory-cache' },
);
// The one-line status at start-up already said whether Redis is there; no stack traces.
cache.on('error', () => {});
cache.connect().catch(() => {});

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function stockOf(sku: string): Promise<number | undefined> {
  const cached = await cache.get(`stock:${sku}`).catch(() => null);
  if (cached !== null) return Number(cached);
  const { rows } = await db.query<{ qty: number }>('SELECT qty FROM demo_stock WHERE sku = $1', [sku]);
  if (rows[0] === undefined) return undefined;
  await cache.set(`stock:${sku}`, String(rows[0].qty), 'EX', 30).catch(() => {});
  return rows[0].qty;
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://inventory');
  const stock = url.pathname.match(/^\/stock\/([\w-]+)$/);
  if (req.method === 'GET' && stock) {
    const qty = await stockOf(stock[1] as string);
    return qty === undefined ? send(res, 404, { error: 'unknown sku' }) : send(res, 200, { sku: stock[1], qty });
  }
  if (req.method === 'POST' && url.pathname === '/reserve') {
    const { sku, qty } = (await readBody(req)) as { sku: string; qty: number };
    const { rows } = await db.query<{ qty: number }>(
      'UPDATE demo_stock SET qty = qty - $2 WHERE sku = $1 AND qty >= $2 RETURNING qty',
      [sku, qty],
    );
    await cache.del(`stock:${sku}`).catch(() => {});
    return rows[0] ? send(res, 200, { sku, left: rows[0].qty }) : send(res, 409, { error: 'not enough stock' });
  }
  if (req.method === 'POST' && url.pathname === '/shipments') {
    const { orderId, sku } = (await readBody(req)) as { orderId: string; sku: string };
    await db.query("INSERT INTO demo_shipments (order_id, sku, status) VALUES ($1, $2, 'scheduled')", [orderId, sku]);
    return send(res, 201, { orderId, status: 'scheduled' });
  }
  send(res, 404, { error: 'not found' });
}

/** node:http knows no routes: name the span after the route template ourselves. */
function routeOf(url: string | undefined): string {
  const path = (url ?? '/').split('?')[0] ?? '/';
  return path.startsWith('/stock/') ? '/stock/:sku' : path;
}

const server = createServer(
  tracedRequestListener(
    (req, res) => {
      handle(req, res).catch((error: unknown) => send(res, 500, { error: String(error) }));
    },
    { operationName: ({ method, request }) => `${method} ${routeOf(request.url)}` },
  ),
);
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.send?.({ ready: 'inventory', port: (server.address() as { port: number }).port });
});

process.on('SIGTERM', async () => {
  server.close();
  cache.disconnect();
  await db.end();
  await tracing.shutdown();
  process.exit(0);
});
