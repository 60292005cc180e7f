/** The `noop`/`traced` variant of the mysql2 workload: `tracedMysql(pool, { tracer })` (issue 4). */
import type { Tracer } from 'opentracing';
import { exported } from './load.js';

type TracedMysql = <T extends object>(connectionOrPool: T, options?: { tracer?: Tracer }) => T;

export async function tracedPool<T extends object>(pool: T, tracer: Tracer): Promise<T> {
  const tracedMysql = await exported<TracedMysql>('tracedMysql');
  return tracedMysql(pool, { tracer });
}
