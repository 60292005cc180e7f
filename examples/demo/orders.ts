/**
 * The "orders" service: Express with `expressTracing`. Placing an order asks inventory over
 * HTTP (`tracedFetch`, trace context in the headers), stores the order in DynamoDB
 * (`tracedDynamoDB`) and publishes `order.created` to RabbitMQ (`tracedAmqp`, context in the
 * message headers) for the shipping worker.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import amqp from 'amqplib';
import express from 'express';
import { expressTracing, tracedAmqp, tracedDynamoDB, tracedFetch, tracedFunction } from 'traced-clients';
import { setUpTracing } from './tracing.js';

const tracing = setUpTracing('orders');
const inventory = process.env.INVENTORY_URL as string;
const fetch = tracedFetch(globalThis.fetch, { peerService: 'inventory' });
const dynamo = tracedDynamoDB(
  new DynamoDBClient({
    endpoint: process.env.DYNAMODB_ENDPOINT,
    region: 'us-east-1',
    credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' },
    maxAttempts: 1,
  }),
);

// RabbitMQ may be down: then publishing is a traced step that fails, shown as an error span.
const channel = amqp
  .connect(process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672')
  .then((connection) => tracedAmqp(connection).createConfirmChannel())
  .then(async (ch) => {
    await ch.assertExchange('demo.orders', 'topic', { durable: false });
    return ch;
  });
channel.catch(() => {});

const publishOrderCreated = tracedFunction(
  async (order: { id: string; sku: string; qty: number }) => {
    const ch = await channel; // rejects with the connection error when RabbitMQ is down
    ch.publish('demo.orders', 'order.created', Buffer.from(JSON.stringify(order)), {
      contentType: 'application/json',
      messageId: order.id,
    });
    await ch.waitForConfirms();
  },
  { name: 'publish order.created' },
);

const app = express();
app.use(expressTracing());
app.use(express.json());

app.post('/orders', async (req, res) => {
  const { sku, qty } = req.body as { sku: string; qty: number };
  const stock = await fetch(`${inventory}/stock/${encodeURIComponent(sku)}`);
  if (!stock.ok) return void res.status(stock.status).json(await stock.json());
  const reserve = await fetch(`${inventory}/reserve`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sku, qty }),
  });
  if (!reserve.ok) return void res.status(reserve.status).json(await reserve.json());
  const order = { id: randomUUID(), sku, qty };
  await dynamo.send(
    new PutItemCommand({
      TableName: 'demo-orders',
      Item: { id: { S: order.id }, sku: { S: sku }, qty: { N: String(qty) }, status: { S: 'placed' } },
    }),
  );
  const published = await publishOrderCreated(order).then(
    () => true,
    () => false,
  );
  res.status(201).json({ ...order, published });
});

app.get('/orders/:id', async (req, res) => {
  const { Item } = await dynamo.send(
    new GetItemCommand({ TableName: 'demo-orders', Key: { id: { S: req.params.id } } }),
  );
  if (!Item) return void res.status(404).json({ error: 'no such order' });
  res.json({ id: Item.id?.S, sku: Item.sku?.S, qty: Number(Item.qty?.N), status: Item.status?.S });
});

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.send?.({ ready: 'orders', port: (server.address() as { port: number }).port });
});

process.on('SIGTERM', async () => {
  server.close();
  await channel.then((ch) => ch.close()).catch(() => {});
  dynamo.destroy();
  await tracing.shutdown();
  process.exit(0);
});
