/**
 * Fault: the PostgreSQL backend is terminated mid-query (`pg_terminate_backend` from another
 * connection). The app sees the very error the raw client gives (57P01), the span records it
 * and finishes once, no unhandled rejection, and the pool serves the next request.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { spanInContext, tracedPg } from '../../../src/index.js';
import { endpoints, serviceAvailable, uniqueName } from '../../helpers/services.js';
import { errorShape, faultBook, faultTracing, settle, sleep, startServing } from './lib/fault.js';

const SOURCE = 'faults: PostgreSQL';
const rig = faultTracing(SOURCE);
const fault = faultBook(SOURCE);
const available = await serviceAvailable('pg');

describe.runIf(available)('PostgreSQL backend terminated mid-query', () => {
  let admin: pg.Client;
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: endpoints.pg });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
  });

  function pool(): pg.Pool {
    const p = new pg.Pool({ connectionString: endpoints.pg, max: 2 });
    p.on('error', () => {}); // an app's handler for errors of idle clients
    return p;
  }

  /** A checked-out client runs pg_sleep; its backend is terminated 200 ms in. */
  async function terminateDuringQuery(p: pg.Pool) {
    const client = await p.connect();
    client.on('error', () => {}); // an app's handler: a checked-out client emits the error too
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    const pending = settle(client.query('SELECT pg_sleep(10)'));
    await sleep(200);
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    const outcome = await pending;
    client.release(outcome.error instanceof Error ? outcome.error : undefined);
    return outcome;
  }

  fault(
    'client.query: the raw error (57P01), the span failed and finished once, the pool serves the next request',
    async () => {
      const rawPool = pool();
      const tracedPool = tracedPg(pool());
      const raw = await terminateDuringQuery(rawPool);
      const parent = rig.tracing.tracer.startSpan('request');
      const traced = await spanInContext(parent, () => terminateDuringQuery(tracedPool));
      parent.finish();
      expect(raw.ok).toBe(false);
      expect((raw.error as { code?: string }).code).toBe('57P01'); // admin_shutdown
      expect(traced.ok).toBe(false);
      expect(errorShape(traced.error)).toEqual(errorShape(raw.error));

      const served = await startServing(async () => (await tracedPool.query('SELECT 1 AS one')).rows[0]?.one);
      expect(await served.request()).toEqual({ status: 200, body: '1' });
      await served.close();
      await rawPool.end();
      await tracedPool.end();

      const spans = await rig.settled(200);
      const sleeping = spans.filter(
        (s) => s.tags.component === 'pg' && String(s.tags['db.statement']).includes('pg_sleep'),
      );
      expect(sleeping).toHaveLength(1);
      expect(sleeping[0]?.error).toBe(true);
    },
    30_000,
  );

  fault(
    'pool.query: a terminated backend under a pooled query fails as raw, and the pool recovers',
    async () => {
      const run = async (p: pg.Pool) => {
        // A unique label in the statement, so only our own backend is terminated.
        const label = uniqueName('relfault');
        const pending = settle(p.query(`SELECT pg_sleep(10), '${label}' AS label`));
        await sleep(300);
        await admin.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%' || $1 || '%' AND pid <> pg_backend_pid()",
          [label],
        );
        const outcome = await pending;
        const after = await settle(p.query('SELECT 2 AS two'));
        return { outcome, after };
      };
      const rawPool = pool();
      const raw = await run(rawPool);
      await rawPool.end();
      const tracedPool = tracedPg(pool());
      const parent = rig.tracing.tracer.startSpan('request');
      const traced = await spanInContext(parent, () => run(tracedPool));
      parent.finish();
      await tracedPool.end();
      expect(errorShape(traced.outcome.error)).toEqual(errorShape(raw.outcome.error));
      expect(traced.after.ok).toBe(true);
      await rig.settled(200);
    },
    30_000,
  );
});
