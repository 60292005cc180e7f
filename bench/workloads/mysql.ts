/** mysql2 (promise API): `pool.query('SELECT 1')` on a pool of 10, sequential and 64 in flight. */
import type { Pool } from 'mysql2/promise';
import { endpoints } from '../../test/helpers/services.js';
import { tracedMysqlWith } from '../traced/mysql.js';
import { mysqlTarget, sqlTags } from './floor-tags.js';
import { tracedFactory, type Workload } from './types.js';

export const mysql: Workload = {
  name: 'mysql2',
  service: 'mysql',
  scenarios: [
    { name: 'seq', concurrency: 1, title: 'mysql2 `SELECT 1`, sequential' },
    { name: 'c64', concurrency: 64, title: 'mysql2 `SELECT 1`, 64 in flight, pool of 10' },
  ],
  async otel() {
    const { MySQL2Instrumentation } = await import('@opentelemetry/instrumentation-mysql2');
    return [new MySQL2Instrumentation()];
  },
  async setup(context) {
    const wrap = await tracedFactory(context, tracedMysqlWith);
    const mysql2 = context.require('mysql2/promise') as typeof import('mysql2/promise');
    const url = new URL(endpoints.mysql);
    const target = mysqlTarget(url);
    const rawPool: Pool = mysql2.createPool({
      ...target,
      password: decodeURIComponent(url.password),
      connectionLimit: 10,
    });
    const pool = wrap ? wrap(rawPool) : rawPool;
    return {
      op: () => pool.query('SELECT 1'),
      floorOp: { name: 'mysql2:SELECT', tags: sqlTags('mysql2', target, 'SELECT ?') },
      close: () => rawPool.end(),
    };
  },
};
