/** The `noop`/`traced` variant of the DynamoDB workload: `tracedDynamoDB(client, { tracer })` (issue 6). */
import type { Tracer } from 'opentracing';
import { exported, type Wrap } from './load.js';

type TracedDynamoDB = <T extends object>(client: T, options?: { tracer?: Tracer }) => T;

export async function tracedDynamoDBWith(tracer: Tracer): Promise<Wrap> {
  const tracedDynamoDB = await exported<TracedDynamoDB>('tracedDynamoDB');
  return (client) => tracedDynamoDB(client, { tracer });
}
