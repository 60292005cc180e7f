import { Kysely, sql as ksql, PostgresDialect } from 'kysely';
import { type Span, Tracer } from 'opentracing';
import pg from 'pg';
import Cursor from 'pg-cursor';
import QueryStream from 'pg-query-stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getCurrentSpan, spanInContext } from '../../src/context/index.js';
import { configure, resetConfig, TRUNCATION_MARKER, untraced } from '../../src/core/index.js';
import { tracedPg } from '../../src/pg.js';
import { endpoints, serviceAvailable, uniqueName } from '../helpers/services.js';
import { createTestTracing, errorLog, expectChildOf, idsOf, type RecordedSpan } from '../helpers/tracing.js';

const available = await serviceAvailable('pg');
const tracing = createTestTracing();
const SECRET = 'SECRET-MARKER-7f3a';

function parent(name = 'parent'): Span {
  return tracing.tracer.startSpan(name);
}

/** Every tag value and log field of every span, as one string to search for leaks. */
function everything(): string {
  return JSON.stringify(tracing.spans().map((s) => ({ name: s.name, tags: s.tags, logs: s.logs })));
}

describe.runIf(available)('tracedPg', () => {
  const table = uniqueName('tc_pg');
  let rawPool: pg.Pool;

  beforeAll(async () => {
    rawPool = new pg.Pool({ connectionString: endpoints.pg, max: 4 });
    await rawPool.query(`CREATE TABLE ${table} (id serial PRIMARY KEY, email text UNIQUE, n int)`);
    await rawPool.query(`INSERT INTO ${table} (email, n) SELECT 'user' || g || '@x', g FROM generate_series(1, 100) g`);
  });
  afterAll(async () => {
    await rawPool.query(`DROP TABLE IF EXISTS ${table}`);
    await rawPool.end();
  });
  beforeEach(() => {
    tracing.reset();
    resetConfig();
    configure({ tracer: tracing.tracer });
  });

  function newPool(options: pg.PoolConfig = {}) {
    return new pg.Pool({ connectionString: endpoints.pg, max: 2, ...options });
  }

  describe('Pool.query', () => {
    it('promise form: one client span under the caller, all tags, same result', async () => {
      const raw = newPool();
      const pool = tracedPg(raw, { peerService: 'users-db' });
      const root = parent();
      const result = await spanInContext(root, () =>
        pool.query(`SELECT id, email FROM ${table} WHERE n = $1 AND email <> 'literal'`, [5]),
      );
      root.finish();
      const expected = await raw.query(`SELECT id, email FROM ${table} WHERE n = $1 AND email <> 'literal'`, [5]);
      expect(result.rows).toEqual(expected.rows);
      const span = tracing.one('pg:SELECT');
      expectChildOf(span, idsOf(root));
      expect(span.tags).toEqual({
        'span.kind': 'client',
        component: 'pg',
        'db.type': 'sql',
        'db.system': 'postgresql',
        'db.instance': 'test',
        'db.user': 'postgres',
        'peer.ipv4': '127.0.0.1',
        'peer.port': 5432,
        'peer.service': 'users-db',
        'db.statement': `SELECT id, email FROM ${table} WHERE n = $1 AND email <> ?`,
        'db.row_count': 1,
      });
      expect(span.error).toBe(false);
      tracing.expectAllFinishedOnce();
      await pool.end();
    });

    it('is the same type and object identity rules hold', async () => {
      const raw = newPool();
      const pool = tracedPg(raw);
      expect(pool).toBeInstanceOf(pg.Pool);
      expect(untraced(pool)).toBe(raw);
      expect(tracedPg(pool)).toBe(pool);
      expect(pool.query).toBe(pool.query);
      expect(pool.totalCount).toBe(raw.totalCount);
      let connects = 0;
      pool.on('connect', () => connects++);
      await pool.query('SELECT 1');
      expect(connects).toBe(1);
      expect(pool.totalCount).toBe(1);
      expect(pool.idleCount).toBe(1);
      await pool.end();
      expect(raw.ended).toBe(true);
    });

    it("opentracing's no-op tracer: the query config is read by pg alone, as often as untraced; same rows", async () => {
      const raw = newPool();
      const reads = { raw: 0, noop: 0 };
      const config = (who: keyof typeof reads) => ({
        get text() {
          reads[who]++;
          return 'SELECT $1::int AS n';
        },
        values: [7],
      });
      const rawResult = await raw.query(config('raw'));
      const noopResult = await tracedPg(raw, { tracer: new Tracer() }).query(config('noop'));
      expect(noopResult.rows).toEqual(rawResult.rows);
      expect(reads.noop).toBe(reads.raw);
      expect(tracing.spans()).toHaveLength(0);
      await raw.end();
    });

    it('callback forms: (text, cb), (text, values, cb), (config, cb); callbacks run in the caller context', async () => {
      const pool = tracedPg(newPool());
      const root = parent();
      const seen: (Span | undefined)[] = [];
      const results = await spanInContext(root, () =>
        Promise.all([
          new Promise<pg.QueryResult>((resolve, reject) =>
            pool.query('SELECT 1 AS a', (err, res) => {
              seen.push(getCurrentSpan());
              err ? reject(err) : resolve(res);
            }),
          ),
          new Promise<pg.QueryResult>((resolve, reject) =>
            pool.query('SELECT $1::int AS a', [2], (err, res) => {
              seen.push(getCurrentSpan());
              err ? reject(err) : resolve(res);
            }),
          ),
          new Promise<pg.QueryResult>((resolve, reject) =>
            pool.query({ text: `UPDATE ${table} SET n = n WHERE id = 0` }, (err: Error, res: pg.QueryResult) => {
              seen.push(getCurrentSpan());
              err ? reject(err) : resolve(res);
            }),
          ),
        ]),
      );
      root.finish();
      expect(results.map((r) => r.rows[0]?.a ?? r.rowCount)).toEqual([1, 2, 0]);
      expect(seen).toEqual([root, root, root]);
      expect(tracing.named('pg:SELECT')).toHaveLength(2);
      for (const span of tracing.spans().filter((s) => s.name.startsWith('pg:'))) expectChildOf(span, idsOf(root));
      expect(tracing.one('pg:UPDATE').tags['db.statement']).toBe(`UPDATE ${table} SET n = n WHERE id = ?`);
      tracing.expectAllFinishedOnce();
      await pool.end();
    });

    it('config forms: name (prepared), rowMode, types; named statement reused', async () => {
      const pool = tracedPg(newPool({ max: 1 }));
      const types = {
        getTypeParser: (oid: number, format?: string) =>
          oid === 23 ? (v: string) => `int:${v}` : pg.types.getTypeParser(oid, format as 'text'),
      };
      const a = await pool.query({ name: 'by-n', text: `SELECT n FROM ${table} WHERE n = $1`, values: [3] });
      const b = await pool.query({ name: 'by-n', text: `SELECT n FROM ${table} WHERE n = $1`, values: [4] });
      const c = await pool.query({ text: 'SELECT 1::int AS x, 2::int AS y', rowMode: 'array' });
      const d = await pool.query({ text: 'SELECT 7::int AS x', types });
      expect(a.rows).toEqual([{ n: 3 }]);
      expect(b.rows).toEqual([{ n: 4 }]);
      expect(c.rows).toEqual([[1, 2]]);
      expect(d.rows).toEqual([{ x: 'int:7' }]);
      expect(tracing.named('pg:SELECT')).toHaveLength(4);
      tracing.expectAllFinishedOnce();
      await pool.end();
    });

    it('operationName, requestHook, responseHook and requireParentSpan', async () => {
      const infos: unknown[] = [];
      const pool = tracedPg(newPool(), {
        operationName: (info) => `db:${info.name ?? 'anon'}`,
        requestHook: (span, info) => {
          span.setTag('hook.method', info.method);
          infos.push(info.values);
        },
        responseHook: (span, result) => span.setTag('hook.rows', (result as pg.QueryResult).rows.length),
        requireParentSpan: true,
      });
      await pool.query('SELECT 1'); // no parent: no span
      expect(tracing.startedCount).toBe(0);
      const root = parent();
      await spanInContext(root, () => pool.query({ name: 'one', text: 'SELECT $1::int', values: [1] }));
      root.finish();
      const span = tracing.one('db:one');
      expect(span.tags).toMatchObject({ 'hook.method': 'query', 'hook.rows': 1 });
      expect(infos).toEqual([[1]]);
      const fixed = tracedPg(newPool(), { operationName: 'fixed' });
      await fixed.query('SELECT 1');
      expect(tracing.named('fixed')).toHaveLength(1);
      await Promise.all([pool.end(), fixed.end()]);
    });
    it('instrumentation never breaks the query: throwing hooks and statement function are reported', async () => {
      const faults: string[] = [];
      const pool = tracedPg(newPool(), {
        statement: () => {
          throw new Error('statement boom');
        },
        requestHook: () => {
          throw new Error('hook boom');
        },
        responseHook: () => {
          throw new Error('response boom');
        },
        operationName: () => {
          throw new Error('name boom');
        },
        onInstrumentationError: (_error, source) => faults.push(source),
      });
      const result = await pool.query('SELECT 1 AS ok');
      expect(result.rows).toEqual([{ ok: 1 }]);
      expect(faults.sort()).toEqual(['operationName', 'requestHook', 'responseHook', 'statement']);
      expect(tracing.one('pg:SELECT').tags).not.toHaveProperty('db.statement');
      // Invalid arguments fail exactly as untraced.
      const client = await pool.connect();
      expect(() => client.query(null as unknown as string)).toThrow(TypeError);
      client.release();
      await pool.end();
    });
  });

  describe('Client and PoolClient', () => {
    it('pg.Client: tags from its resolved parameters, promise and callback', async () => {
      const raw = new pg.Client({ connectionString: endpoints.pg });
      const client = tracedPg(raw);
      await client.connect();
      const r1 = await client.query('SELECT 1 AS a');
      const r2 = await new Promise<pg.QueryResult>((resolve, reject) =>
        client.query('SELECT 2 AS a', (err, res) => (err ? reject(err) : resolve(res))),
      );
      expect([r1.rows, r2.rows]).toEqual([[{ a: 1 }], [{ a: 2 }]]);
      const root = parent();
      const viaConfig = await spanInContext(
        root,
        () =>
          new Promise<{ rows: unknown; span: Span | undefined }>((resolve, reject) => {
            const config = {
              text: 'SELECT 3 AS a',
              callback: (err: Error | null, res: pg.QueryResult) =>
                err ? reject(err) : resolve({ rows: res.rows, span: getCurrentSpan() }),
            };
            expect(client.query(config as pg.QueryConfig)).toBeUndefined();
          }),
      );
      root.finish();
      expect(viaConfig).toEqual({ rows: [{ a: 3 }], span: root });
      expect(client.escapeLiteral("o'k")).toBe("'o''k'");
      expect(client).toBeInstanceOf(pg.Client);
      await client.end();
      const spans = tracing.named('pg:SELECT');
      expect(spans).toHaveLength(3);
      expectChildOf(spans[2] as RecordedSpan, idsOf(root));
      expect(spans[0]?.tags).toMatchObject({ 'peer.ipv4': '127.0.0.1', 'peer.port': 5432, 'db.instance': 'test' });
      tracing.expectAllFinishedOnce();
    });

    it('pool.connect (promise and callback) hands out a traced PoolClient; release works; same object each time', async () => {
      const pool = tracedPg(newPool({ max: 1 }));
      const root = parent();
      const c1 = await spanInContext(root, () => pool.connect());
      await spanInContext(root, () => c1.query('SELECT 1'));
      c1.release();
      const c2 = await new Promise<pg.PoolClient>((resolve, reject) =>
        pool.connect((err, client, done) => {
          expect(typeof done).toBe('function');
          err || client === undefined ? reject(err) : resolve(client);
        }),
      );
      expect(c2).toBe(c1);
      expect(untraced(c2)).not.toBe(c2);
      await c2.query('SELECT 2');
      c2.release();
      root.finish();
      expect(tracing.named('pg:SELECT')).toHaveLength(2);
      expectChildOf(tracing.named('pg:SELECT')[0] as RecordedSpan, idsOf(root));
      expect(tracing.named('pg:connect')).toHaveLength(0);
      expect(pool.idleCount).toBe(1);
      await pool.end();
    });

    it('traceConnect: a pg:connect span for the wait, under the caller', async () => {
      const pool = tracedPg(newPool({ max: 1 }), { traceConnect: true });
      const root = parent();
      const client = await spanInContext(root, () => pool.connect());
      client.release();
      const failing = tracedPg(new pg.Pool({ host: '127.0.0.1', port: 1, connectionTimeoutMillis: 2000 }), {
        traceConnect: true,
      });
      const error = await spanInContext(root, () => failing.connect()).catch((e: unknown) => e);
      root.finish();
      expect((error as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
      const spans = tracing.named('pg:connect');
      expect(spans).toHaveLength(2);
      for (const s of spans) expectChildOf(s, idsOf(root));
      expect(spans.map((s) => s.error).sort()).toEqual([false, true]);
      tracing.expectAllFinishedOnce();
      await Promise.all([pool.end(), failing.end()]);
    });
  });

  describe('busy pool', () => {
    it('pool of size 1, 50 concurrent queries under 50 parents: each span under its own parent', async () => {
      const pool = tracedPg(newPool({ max: 1 }));
      const parents = Array.from({ length: 50 }, (_, i) => parent(`p${i}`));
      await Promise.all(
        parents.map((p, i) =>
          spanInContext(p, async () => {
            const result = await pool.query('SELECT $1::int AS i, pg_sleep(0.001)', [i]);
            expect(result.rows[0].i).toBe(i);
            expect(getCurrentSpan()).toBe(p);
          }),
        ),
      );
      for (const p of parents) p.finish();
      const queries = tracing.named('pg:SELECT');
      expect(queries).toHaveLength(50);
      const byParent = new Map(tracing.spans().map((s) => [s.spanId, s]));
      for (const q of queries) {
        const owner = byParent.get(q.parentId ?? '');
        expect(owner?.name).toMatch(/^p\d+$/);
      }
      expect(new Set(queries.map((q) => q.parentId)).size).toBe(50);
      tracing.expectAllFinishedOnce();
      await pool.end();
    });

    it('callbacks and pool.connect callbacks of queued requests run in their caller context', async () => {
      const pool = tracedPg(newPool({ max: 1 }));
      const parents = Array.from({ length: 20 }, (_, i) => parent(`c${i}`));
      const mismatches: number[] = [];
      await Promise.all(
        parents.map(
          (p, i) =>
            new Promise<void>((resolve, reject) =>
              spanInContext(p, () => {
                if (i % 2 === 0) {
                  pool.query('SELECT pg_sleep(0.001)', (err) => {
                    if (getCurrentSpan() !== p) mismatches.push(i);
                    err ? reject(err) : resolve();
                  });
                } else {
                  pool.connect((err, client, release) => {
                    if (getCurrentSpan() !== p) mismatches.push(i);
                    if (err || client === undefined) return reject(err);
                    client.query('SELECT 1', (qerr) => {
                      if (getCurrentSpan() !== p) mismatches.push(i);
                      release();
                      qerr ? reject(qerr) : resolve();
                    });
                  });
                }
              }),
            ),
        ),
      );
      for (const p of parents) p.finish();
      expect(mismatches).toEqual([]);
      const byId = new Map(tracing.spans().map((s) => [s.spanId, s]));
      const queries = tracing.named('pg:SELECT');
      expect(queries).toHaveLength(20);
      for (const q of queries) expect(byId.get(q.parentId ?? '')?.name).toMatch(/^c\d+$/);
      tracing.expectAllFinishedOnce();
      await pool.end();
    });
  });

  describe('errors', () => {
    it('syntax error: error.kind 42601, the same error rejected as untraced', async () => {
      const raw = newPool();
      const pool = tracedPg(raw);
      const promise = pool.query('SELEC 1');
      const error = (await promise.catch((e: unknown) => e)) as pg.DatabaseError;
      const rawError = (await raw.query('SELEC 1').catch((e: unknown) => e)) as pg.DatabaseError;
      expect(error).toBeInstanceOf(pg.DatabaseError);
      expect({ ...error, message: error.message }).toEqual({ ...rawError, message: rawError.message });
      const span = tracing.one('pg:SELEC');
      expect(span.error).toBe(true);
      expect(errorLog(span)).toMatchObject({ event: 'error', 'exception.type': '42601' });
      tracing.expectAllFinishedOnce();
      await pool.end();
    });

    it('unique violation with a secret value: 23505, the secret in no tag or log', async () => {
      const pool = tracedPg(newPool());
      const email = `${SECRET}@example.com`;
      await pool.query(`INSERT INTO ${table} (email, n) VALUES ($1, 1)`, [email]);
      const error = (await pool
        .query(`INSERT INTO ${table} (email, n) VALUES ('${email}', 2)`)
        .catch((e: unknown) => e)) as pg.DatabaseError;
      const badInput = (await pool.query(`SELECT 1 WHERE 1 = '${SECRET}'::int`).catch((e: unknown) => e)) as Error;
      expect(error.code).toBe('23505');
      expect(error.detail).toContain(SECRET);
      expect(badInput.message).toContain(SECRET);
      const inserts = tracing.named('pg:INSERT');
      expect(inserts).toHaveLength(2);
      const failed = inserts.find((s) => s.error) as RecordedSpan;
      expect(errorLog(failed)).toMatchObject({ 'exception.type': '23505' });
      expect(String(errorLog(failed)?.['exception.message'])).toMatch(/duplicate key value violates unique constraint/);
      expect(everything()).not.toContain(SECRET);
      await pool.query(`DELETE FROM ${table} WHERE email = $1`, [email]);
      await pool.end();
    });

    it('captureParams: true records values (capped, Buffers summarized) and raw server messages', async () => {
      const pool = tracedPg(newPool(), { captureParams: true });
      await pool.query('SELECT $1::text, $2::bytea, $3::int', [SECRET, Buffer.from('bytes!'), 3]);
      expect(tracing.one('pg:SELECT').tags['db.params']).toBe(`["${SECRET}", <Buffer 6 bytes>, 3]`);
      await pool.end();
    });

    it('connection refused: the query span errors with ECONNREFUSED, same error', async () => {
      const pool = tracedPg(new pg.Pool({ host: '127.0.0.1', port: 1 }));
      const error = (await pool.query('SELECT 1').catch((e: unknown) => e)) as NodeJS.ErrnoException;
      expect(error.code).toBe('ECONNREFUSED');
      const span = tracing.one('pg:SELECT');
      expect(span.error).toBe(true);
      expect(span.tags['peer.port']).toBe(1);
      expect(errorLog(span)).toMatchObject({ 'exception.type': 'ECONNREFUSED' });
      tracing.expectAllFinishedOnce();
      await pool.end();
    });

    it('server-side disconnect during a query: the span errors and finishes once', async () => {
      const client = tracedPg(new pg.Client({ connectionString: endpoints.pg }));
      client.on('error', () => {});
      await client.connect();
      const pid = ((await client.query('SELECT pg_backend_pid() AS pid')).rows[0] as { pid: number }).pid;
      // Handled from the start: the query may reject before the terminate call returns, and
      // a rejection nobody handles yet is reported, traced or not.
      const sleeping = client.query('SELECT pg_sleep(10)').catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 100));
      await rawPool.query('SELECT pg_terminate_backend($1)', [pid]);
      const error = (await sleeping) as Error;
      expect(error).toBeInstanceOf(Error);
      const span = tracing.named('pg:SELECT').find((s) => s.error) as RecordedSpan;
      expect(span).toBeDefined();
      expect(span.tags['db.statement']).toBe('SELECT pg_sleep(?)');
      tracing.expectAllFinishedOnce();
      await client.end().catch(() => {});
    });
  });

  describe('Submittables', () => {
    it('pg-cursor: read in batches, span ends at the end; rows as untraced', async () => {
      const pool = tracedPg(newPool());
      const client = await pool.connect();
      const root = parent();
      const text = `SELECT n FROM ${table} WHERE n <= $1 ORDER BY n`;
      const cursor = spanInContext(root, () => client.query(new Cursor(text, [25])));
      expect(cursor).toBeInstanceOf(Cursor);
      const rows: unknown[] = [];
      for (;;) {
        const batch = await cursor.read(10);
        if (batch.length === 0) break;
        rows.push(...batch);
      }
      await cursor.close();
      client.release();
      root.finish();
      expect(rows).toHaveLength(25);
      const span = tracing.one('pg:SELECT');
      expectChildOf(span, idsOf(root));
      expect(span.tags['db.statement']).toBe(`SELECT n FROM ${table} WHERE n <= $1 ORDER BY n`);
      expect(span.error).toBe(false);
      tracing.expectAllFinishedOnce();
      await pool.end();
    });

    it('pg-cursor closed early: the span ends once; the connection is usable after', async () => {
      const pool = tracedPg(newPool({ max: 1 }));
      const client = await pool.connect();
      const cursor = client.query(new Cursor(`SELECT n FROM ${table} ORDER BY n`));
      const first = await cursor.read(5);
      expect(first).toHaveLength(5);
      await cursor.close();
      const after = await client.query('SELECT 42 AS x');
      expect(after.rows).toEqual([{ x: 42 }]);
      client.release();
      expect(tracing.named('pg:SELECT')).toHaveLength(2);
      tracing.expectAllFinishedOnce();
      await pool.end();
    });

    it('pg-cursor error: the span errors; the read callback gets the same error; no error event forced', async () => {
      const pool = tracedPg(newPool({ max: 1 }));
      const client = await pool.connect();
      const cursor = client.query(new Cursor('SELECT * FROM no_such_table_tc'));
      const error = await cursor.read(1).catch((e: unknown) => e);
      expect((error as pg.DatabaseError).code).toBe('42P01');
      client.release();
      const span = tracing.one('pg:SELECT');
      expect(span.error).toBe(true);
      expect(errorLog(span)).toMatchObject({ 'exception.type': '42P01' });
      tracing.expectAllFinishedOnce();
      await pool.end();
    });

    it('pg-query-stream: streamed fully, and destroyed early; events in the caller context', async () => {
      const pool = tracedPg(newPool({ max: 1 }));
      const client = await pool.connect();
      const root = parent();
      const rows = await spanInContext(root, async () => {
        const stream = client.query(new QueryStream(`SELECT n FROM ${table} ORDER BY n`, [], { batchSize: 7 }));
        const out: unknown[] = [];
        const contexts = new Set<Span | undefined>();
        stream.on('data', (row) => {
          contexts.add(getCurrentSpan());
          out.push(row);
        });
        await new Promise((resolve, reject) => stream.on('end', resolve).on('error', reject));
        expect([...contexts]).toEqual([root]);
        return out;
      });
      expect(rows).toHaveLength(100);
      const early = client.query(new QueryStream(`SELECT n FROM ${table} ORDER BY n`, [], { batchSize: 5 }));
      await new Promise<void>((resolve) => {
        early.once('data', () => {
          early.destroy();
          resolve();
        });
      });
      await new Promise((r) => early.once('close', r));
      const after = await client.query('SELECT 1 AS ok');
      expect(after.rows).toEqual([{ ok: 1 }]);
      client.release();
      root.finish();
      const spans = tracing.named('pg:SELECT');
      expect(spans).toHaveLength(3);
      expectChildOf(spans.find((s) => s.parentId !== undefined) as RecordedSpan, idsOf(root));
      tracing.expectAllFinishedOnce();
      await pool.end();
    });
  });

  describe('statement recording', () => {
    it('a 1 MB statement: the query works, the tag is capped with the marker', async () => {
      const pool = tracedPg(newPool());
      const big = `SELECT length('${'x'.repeat(1024 * 1024)}') AS len`;
      const result = await pool.query(big);
      expect(result.rows).toEqual([{ len: 1024 * 1024 }]);
      const span = tracing.one('pg:SELECT');
      expect(span.tags['db.statement']).toBe('SELECT length(?) AS len');
      const raw = tracedPg(newPool(), { statement: 'raw' });
      await raw.query(big);
      const rawSpan = tracing.named('pg:SELECT')[1] as RecordedSpan;
      expect(String(rawSpan.tags['db.statement'])).toHaveLength(2048);
      expect(String(rawSpan.tags['db.statement']).endsWith(TRUNCATION_MARKER)).toBe(true);
      await Promise.all([pool.end(), raw.end()]);
    });

    it("statement: 'off' and a function; maxStatementLength", async () => {
      const off = tracedPg(newPool(), { statement: 'off' });
      const fn = tracedPg(newPool(), { statement: (s) => s.toLowerCase(), maxStatementLength: 20 });
      await off.query(`SELECT '${SECRET}'`);
      await fn.query('SELECT 12345 FROM generate_series(1, 2)');
      const [a, b] = tracing.named('pg:SELECT');
      expect(a?.tags).not.toHaveProperty('db.statement');
      expect(b?.tags['db.statement']).toBe(`select 1${TRUNCATION_MARKER}`);
      expect(everything()).not.toContain(SECRET);
      await Promise.all([off.end(), fn.end()]);
    });

    it('a text queried again gets the same name and statement; configure({ maxStatementLength }) applies at once', async () => {
      const pool = tracedPg(newPool());
      const text = "SELECT 'a' || $1::text AS joined, 12345 AS n";
      await pool.query(text, ['b']);
      await pool.query(text, ['c']);
      const statement = 'SELECT ? || $1::text AS joined, ? AS n';
      expect(tracing.spans().map((s) => [s.name, s.tags['db.statement']])).toEqual([
        ['pg:SELECT', statement],
        ['pg:SELECT', statement],
      ]);
      tracing.reset();
      configure({ tracer: tracing.tracer, maxStatementLength: 24 });
      await pool.query(text, ['d']);
      const capped = String(tracing.one('pg:SELECT').tags['db.statement']);
      expect(capped.length).toBeLessThanOrEqual(24);
      expect(capped.endsWith(TRUNCATION_MARKER)).toBe(true);
      await pool.end();
    });

    it('sqlComment: the server sees traceparent of the query span; never on named statements', async () => {
      const pool = tracedPg(newPool(), { sqlComment: true });
      const root = parent();
      const result = await spanInContext(root, () => pool.query('SELECT current_query() AS q'));
      const named = await pool.query({ name: 'cq', text: 'SELECT current_query() AS q' });
      root.finish();
      const span = tracing.named('pg:SELECT')[0] as RecordedSpan;
      const q = String(result.rows[0].q);
      expect(q).toBe(`SELECT current_query() AS q /*traceparent='00-${span.traceId}-${span.spanId}-01'*/`);
      expect(String(named.rows[0].q)).toBe('SELECT current_query() AS q');
      expect(span.tags['db.statement']).toBe('SELECT current_query() AS q');
      await pool.end();
    });
  });

  describe('ORM / query builder', () => {
    it('kysely over a traced pg.Pool: its queries are spans under the caller', async () => {
      const pool = tracedPg(newPool());
      const db = new Kysely<Record<string, { id: number; email: string; n: number }>>({
        dialect: new PostgresDialect({ pool }),
      });
      const root = parent();
      const rows = await spanInContext(root, () =>
        db.selectFrom(table).select(['n']).where('n', '<', 3).orderBy('n').execute(),
      );
      await spanInContext(root, () =>
        db.transaction().execute(async (trx) => {
          await trx.updateTable(table).set({ n: 1 }).where('id', '=', -1).execute();
          await ksql`SELECT ${SECRET} AS s`.execute(trx);
        }),
      );
      root.finish();
      expect(rows).toEqual([{ n: 1 }, { n: 2 }]);
      const select = tracing.named('pg:SELECT')[0] as RecordedSpan;
      expectChildOf(select, idsOf(root));
      expect(select.tags['db.statement']).toBe(`select "n" from "${table}" where "n" < $1 order by "n"`);
      const names = tracing.spans().map((s) => s.name);
      expect(names).toEqual(
        expect.arrayContaining(['pg:SELECT', 'pg:BEGIN', 'pg:UPDATE', 'pg:SELECT', 'pg:COMMIT', 'parent']),
      );
      expect(everything()).not.toContain(SECRET);
      tracing.expectAllFinishedOnce();
      await db.destroy();
    });
  });
});
