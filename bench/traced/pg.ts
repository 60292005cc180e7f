/** The `noop`/`traced` variant of the pg workload: `tracedPg(pool, { tracer })` (issue 4). */
import type { Tracer } from 'opentracing';
import { exported, type Wrap } from './load.js';

type TracedPg = <T extends object>(poolOrClient: T, options?: { tracer?: Tracer }) => T;

export async function tracedPgWith(tracer: Tracer): Promise<Wrap> {
  const tracedPg = await exported<TracedPg>('tracedPg');
  return (pool) => tracedPg(pool, { tracer });
}
