/** The `noop`/`traced` variant of the ioredis workload: `tracedRedis(redis, { tracer })` (issue 5). */
import type { Tracer } from 'opentracing';
import { exported, type Wrap } from './load.js';

type TracedRedis = <T extends object>(client: T, options?: { tracer?: Tracer }) => T;

export async function tracedRedisWith(tracer: Tracer): Promise<Wrap> {
  const tracedRedis = await exported<TracedRedis>('tracedRedis');
  return (redis) => tracedRedis(redis, { tracer });
}
