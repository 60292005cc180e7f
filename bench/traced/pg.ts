/** The `noop`/`traced` variant of the pg workload: `tracedPg(pool, { tracer })` (issue 4). */
import type { Tracer } from 'opentracing';
import { exported } from './load.js';

type TracedPg = <T extends object>(poolOrClient: T, options?: { tracer?: Tracer }) => T;

export async function tracedPool<T extends object>(pool: T, tracer: Tracer): Promise<T> {
  const tracedPg = await exported<TracedPg>('tracedPg');
  return tracedPg(pool, { tracer });
}
