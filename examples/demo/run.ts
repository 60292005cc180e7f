/**
 * `make demo`: two traced services and a worker, a handful of requests, and their traces drawn
 * in the terminal. Each service is its own process with its own tracer; the trace context
 * travels in HTTP headers (W3C traceparent) and RabbitMQ message headers; every process exports
 * its spans over OTLP/HTTP to a small receiver in this process, which draws them.
 *
 *   orders (Express)  ──HTTP──▶  inventory (node:http) ──▶ PostgreSQL, Redis
 *        │ DynamoDB
 *        └─ RabbitMQ ──▶ shipping worker ──HTTP──▶ inventory
 */
import { type ChildProcess, fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import pg from 'pg';
import { drawTrace, groupByTrace } from '../lib/waterfall.js';
import { startInfra } from './infra.js';
import { type ReceivedSpan, startOtlpReceiver } from './otlp-receiver.js';

interface Message {
  ready?: string;
  port?: number;
  error?: string;
  shipped?: string;
}

// The SDK's notice about its future Node 22 requirement is noise in a demo's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

function start(name: string, env: Record<string, string>): { child: ChildProcess; ready: Promise<Message> } {
  const child = fork(here(`./${name}.ts`), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = new Promise<Message>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 60 s`)), 60_000);
    child.on('message', (message: Message) => {
      if (message.ready !== undefined) {
        clearTimeout(timer);
        resolve(message);
      }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with code ${code} before it was ready`)));
  });
  return { child, ready };
}

async function prepareData(databaseUrl: string, dynamoEndpoint: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('CREATE TABLE IF NOT EXISTS demo_stock (sku text PRIMARY KEY, qty int NOT NULL)');
  await client.query(
    'CREATE TABLE IF NOT EXISTS demo_shipments (id serial PRIMARY KEY, order_id text NOT NULL, sku text NOT NULL, status text NOT NULL)',
  );
  await client.query(
    "INSERT INTO demo_stock (sku, qty) VALUES ('apple', 100), ('pear', 50), ('plum', 3) ON CONFLICT (sku) DO UPDATE SET qty = EXCLUDED.qty",
  );
  await client.end();
  const dynamo = new DynamoDBClient({
    endpoint: dynamoEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' },
  });
  await dynamo
    .send(
      new CreateTableCommand({
        TableName: 'demo-orders',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    )
    .catch((error: unknown) => {
      if (!(error instanceof ResourceInUseException)) throw error;
    });
  dynamo.destroy();
}

async function main(): Promise<void> {
  console.log('traced-clients demo: orders → inventory, DynamoDB, RabbitMQ → shipping worker\n');
  const receiver = await startOtlpReceiver();
  const infra = await startInfra();
  for (const endpoint of [infra.postgres, infra.dynamodb, infra.redis, infra.amqp]) {
    console.log(`  ${endpoint.reachable ? '✓' : '✗'} ${endpoint.description}`);
  }
  if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) {
    console.log(
      `  ✓ also exporting over OTLP/HTTP to ${process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT}`,
    );
  }
  await prepareData(infra.postgres.url, infra.dynamodb.url);

  const env = {
    DATABASE_URL: infra.postgres.url,
    DYNAMODB_ENDPOINT: infra.dynamodb.url,
    REDIS_URL: infra.redis.url,
    AMQP_URL: infra.amqp.url,
    DEMO_COLLECTOR_URL: receiver.url,
  };
  const children: ChildProcess[] = [];
  const shipped = new Set<string>();
  try {
    const inventory = start('inventory', env);
    children.push(inventory.child);
    const inventoryUrl = `http://127.0.0.1:${(await inventory.ready).port}`;
    const orders = start('orders', { ...env, INVENTORY_URL: inventoryUrl });
    const worker = start('worker', { ...env, INVENTORY_URL: inventoryUrl });
    children.push(orders.child, worker.child);
    worker.child.on('message', (message: Message) => message.shipped && shipped.add(message.shipped));
    const ordersUrl = `http://127.0.0.1:${(await orders.ready).port}`;
    const workerReady = await worker.ready;
    if (workerReady.error) console.log(`  ✗ shipping worker: ${workerReady.error}`);
    console.log('');

    // The requests: two orders that succeed, one the stock cannot cover, one lookup.
    const requests: { title: string; run: () => Promise<Response> }[] = [];
    const post = (sku: string, qty: number) => () =>
      fetch(`${ordersUrl}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sku, qty }),
      });
    requests.push({ title: 'POST /orders {apple ×1}', run: post('apple', 1) });
    requests.push({ title: 'POST /orders {pear ×2}', run: post('pear', 2) });
    requests.push({ title: 'POST /orders {plum ×99}', run: post('plum', 99) });
    const placed: string[] = [];
    const published: string[] = [];
    const results: { title: string; status: number }[] = [];
    for (const request of requests) {
      const response = await request.run();
      const body = (await response.json()) as { id?: string; published?: boolean };
      if (response.status === 201 && body.id) {
        placed.push(body.id);
        if (body.published) published.push(body.id);
      }
      results.push({ title: request.title, status: response.status });
      console.log(`  ${request.title} → ${response.status}`);
    }
    if (placed[0]) {
      const title = 'GET /orders/:id';
      const response = await fetch(`${ordersUrl}/orders/${placed[0]}`);
      await response.arrayBuffer();
      results.push({ title, status: response.status });
      console.log(`  ${title} → ${response.status}`);
    }

    // Let the worker finish the orders it was sent, then stop everything: each process
    // exports what it still buffers before it exits.
    const deadline = Date.now() + 15_000;
    while (published.some((id) => !shipped.has(id)) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );

    const traces = groupByTrace(receiver.spans.map((s: ReceivedSpan) => ({ ...s, note: noteFor(s) })));
    console.log(
      `\n${traces.length} traces, ${receiver.spans.length} spans from ${new Set(receiver.spans.map((s) => s.service)).size} services\n`,
    );
    traces.forEach((trace, i) => {
      console.log(drawTrace(trace, results[i]?.title));
      console.log('');
    });
    if (process.env.DEMO_TRACES_FILE) {
      writeFileSync(process.env.DEMO_TRACES_FILE, JSON.stringify({ results, spans: receiver.spans }, null, 2));
    }
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await infra.stop();
    await receiver.close();
  }
}

/** What to print after a span's bar: the status code of HTTP spans, the error kind of failures. */
function noteFor(span: ReceivedSpan): string | undefined {
  if (span.error) {
    const exception = span.events.find((e) => e.name === 'exception');
    const kind = exception?.attributes['exception.type'];
    return kind === undefined ? undefined : String(kind);
  }
  const status = span.attributes['http.status_code'];
  return status === undefined ? undefined : String(status);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('demo failed:', error);
    process.exit(1);
  },
);
