/** pg: `pool.query('SELECT 1')` on a pool of 10, sequential and 64 in flight. */
import type { Pool } from 'pg';
import { endpoints } from '../../test/helpers/services.js';
import { tracedPgWith } from '../traced/pg.js';
import { pgTarget, sqlTags } from './floor-tags.js';
import { tracedFactory, type Workload } from './types.js';

export const pg: Workload = {
  name: 'pg',
  service: 'pg',
  scenarios: [
    { name: 'seq', concurrency: 1, title: 'pg `SELECT 1`, sequential' },
    { name: 'c64', concurrency: 64, title: 'pg `SELECT 1`, 64 in flight, pool of 10' },
  ],
  async otel() {
    const { PgInstrumentation } = await import('@opentelemetry/instrumentation-pg');
    return [new PgInstrumentation()];
  },
  async setup(context) {
    const wrap = await tracedFactory(context, tracedPgWith);
    const { Pool: PoolClass } = context.require('pg') as typeof import('pg');
    const rawPool: Pool = new PoolClass({ connectionString: endpoints.pg, max: 10 });
    const pool = wrap ? wrap(rawPool) : rawPool;
    const target = pgTarget(new URL(endpoints.pg));
    return {
      op: () => pool.query('SELECT 1'),
      floorOp: { name: 'pg:SELECT', tags: sqlTags('pg', target, 'SELECT ?') },
      close: () => rawPool.end(),
    };
  },
};
