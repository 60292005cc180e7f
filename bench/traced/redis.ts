/** The `noop`/`traced` variant of the ioredis workload: `tracedRedis(redis, { tracer })` (issue 5). */
import type { Tracer } from 'opentracing';
import { exported } from './load.js';

type TracedRedis = <T extends object>(client: T, options?: { tracer?: Tracer }) => T;

export async function tracedClient<T extends object>(redis: T, tracer: Tracer): Promise<T> {
  const tracedRedis = await exported<TracedRedis>('tracedRedis');
  return tracedRedis(redis, { tracer });
}
