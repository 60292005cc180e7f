/**
 * The shipping worker: consumes `order.created` from RabbitMQ through `tracedAmqp`. Each
 * delivery is a consumer span continuing the publisher's trace (context from the message
 * headers); the HTTP call it makes back to inventory is that span's child.
 */
import amqp from 'amqplib';
import { tracedAmqp, tracedFetch } from 'traced-clients';
import { setUpTracing } from './tracing.js';

const tracing = setUpTracing('shipping-worker');
const fetch = tracedFetch(globalThis.fetch, { peerService: 'inventory' });
const inventory = process.env.INVENTORY_URL as string;

async function main(): Promise<void> {
  const connection = tracedAmqp(await amqp.connect(process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672'));
  const channel = await connection.createChannel();
  await channel.assertExchange('demo.orders', 'topic', { durable: false });
  const { queue } = await channel.assertQueue('', { exclusive: true });
  await channel.bindQueue(queue, 'demo.orders', 'order.created');
  await channel.consume(queue, async (message) => {
    if (message === null) return;
    const order = JSON.parse(message.content.toString('utf8')) as { id: string; sku: string };
    const response = await fetch(`${inventory}/shipments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderId: order.id, sku: order.sku }),
    });
    await response.arrayBuffer();
    channel.ack(message);
    process.send?.({ shipped: order.id });
  });
  process.on('SIGTERM', async () => {
    await connection.close().catch(() => {});
    await tracing.shutdown();
    process.exit(0);
  });
  process.send?.({ ready: 'worker' });
}

main().catch(async (error: unknown) => {
  process.send?.({ ready: 'worker', error: String(error) });
  await tracing.shutdown();
  process.exit(0);
});
