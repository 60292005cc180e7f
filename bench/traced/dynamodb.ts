/** The `noop`/`traced` variant of the DynamoDB workload: `tracedDynamoDB(client, { tracer })` (issue 6). */
import type { Tracer } from 'opentracing';
import { exported } from './load.js';

type TracedDynamoDB = <T extends object>(client: T, options?: { tracer?: Tracer }) => T;

export async function tracedClient<T extends object>(client: T, tracer: Tracer): Promise<T> {
  return (await exported<TracedDynamoDB>('tracedDynamoDB'))(client, { tracer });
}
