/** The `noop`/`traced` variant of the mysql2 workload: `tracedMysql(pool, { tracer })` (issue 4). */
import type { Tracer } from 'opentracing';
import { exported, type Wrap } from './load.js';

type TracedMysql = <T extends object>(connectionOrPool: T, options?: { tracer?: Tracer }) => T;

export async function tracedMysqlWith(tracer: Tracer): Promise<Wrap> {
  const tracedMysql = await exported<TracedMysql>('tracedMysql');
  return (pool) => tracedMysql(pool, { tracer });
}
