/** DynamoDB: `GetItem` of one small item on dynalite (in a worker thread), sequential. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Tags } from 'opentracing';
import { uniqueName } from '../../test/helpers/services.js';
import { startServerThread } from '../lib/threads.js';
import { tracedDynamoDBWith } from '../traced/dynamodb.js';
import { clientTags } from './floor-tags.js';
import { type FloorOp, tracedFactory, type Workload } from './types.js';

/** The design's tags of `GetItem` on `table`; the request id comes with the result. */
export function dynamoFloorOp(table: string, region: string): FloorOp {
  return {
    name: 'dynamodb:GetItem',
    tags: clientTags('aws-sdk', { [Tags.DB_TYPE]: 'dynamodb', [Tags.DB_INSTANCE]: table, 'aws.region': region }),
    onResult: (span, result) => {
      const requestId = (result as { $metadata?: { requestId?: string } }).$metadata?.requestId;
      if (requestId !== undefined) span.setTag('aws.request_id', requestId);
    },
  };
}

export const dynamodb: Workload = {
  name: 'dynamodb',
  // The SDK's middleware stack and dynalite (in this process) are a lot of code: run
  // continuously, one process's `GetItem` rate climbs for ~8 s (900 → 1,200 ops/s here) before
  // it levels off. Two seconds left every variant mid-climb, where more code climbs slower.
  warmupMs: 10_000,
  scenarios: [{ name: 'seq', concurrency: 1, title: 'DynamoDB `GetItem` on dynalite, sequential' }],
  async otel() {
    const { AwsInstrumentation } = await import('@opentelemetry/instrumentation-aws-sdk');
    return [new AwsInstrumentation()];
  },
  async setup(context) {
    const wrap = await tracedFactory(context, tracedDynamoDBWith);
    const sdk = context.require('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb');
    const server = await startServerThread('dynalite.mjs');
    const config = {
      endpoint: `http://127.0.0.1:${server.port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    };
    const table = uniqueName('bench_items');
    const admin = new sdk.DynamoDBClient(config);
    await admin.send(
      new sdk.CreateTableCommand({
        TableName: table,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await admin.send(new sdk.PutItemCommand({ TableName: table, Item: { id: { S: 'k' }, v: { S: 'x'.repeat(64) } } }));
    const raw: DynamoDBClient = new sdk.DynamoDBClient(config);
    const client = wrap ? wrap(raw) : raw;
    const command = new sdk.GetItemCommand({ TableName: table, Key: { id: { S: 'k' } } });
    return {
      op: () => client.send(command),
      floorOp: dynamoFloorOp(table, config.region),
      async close() {
        await admin.send(new sdk.DeleteTableCommand({ TableName: table }));
        raw.destroy();
        admin.destroy();
        await server.close();
      },
    };
  },
};
