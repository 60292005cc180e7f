import mysql from 'mysql2';
import mysqlPromise from 'mysql2/promise';
import { type Span, Tracer } from 'opentracing';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { getCurrentSpan, spanInContext } from '../../src/context/index.js';
import { configure, isTraced, resetConfig, TRUNCATION_MARKER, untraced } from '../../src/core/index.js';
import { tracedMysql } from '../../src/mysql2.js';
import { endpoints, serviceAvailable, uniqueName } from '../helpers/services.js';
import { createTestTracing, errorLog, expectChildOf, idsOf, type RecordedSpan } from '../helpers/tracing.js';

const available = await serviceAvailable('mysql');
const tracing = createTestTracing();
const SECRET = 'SECRET-MARKER-91bd';
const uri = endpoints.mysql;

function parent(name = 'parent'): Span {
  return tracing.tracer.startSpan(name);
}

function everything(): string {
  return JSON.stringify(tracing.spans().map((s) => ({ name: s.name, tags: s.tags, logs: s.logs })));
}

function cb<R>(fn: (done: (err: unknown, result?: R) => void) => void): Promise<R> {
  return new Promise((resolve, reject) => fn((err, result) => (err ? reject(err) : resolve(result as R))));
}

describe.runIf(available)('tracedMysql', () => {
  const table = uniqueName('tc_my');
  let admin: mysqlPromise.Connection;

  beforeAll(async () => {
    admin = await mysqlPromise.createConnection({ uri });
    await admin.query(`CREATE TABLE ${table} (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(255) UNIQUE, n INT)`);
    const values = Array.from({ length: 50 }, (_, i) => [`user${i + 1}@x`, i + 1]);
    await admin.query(`INSERT INTO ${table} (email, n) VALUES ?`, [values]);
  });
  afterAll(async () => {
    await admin.query(`DROP TABLE IF EXISTS ${table}`);
    await admin.end();
  });
  beforeEach(() => {
    tracing.reset();
    resetConfig();
    configure({ tracer: tracing.tracer });
  });

  describe('callback API', () => {
    it('createConnection: query with callback, all tags, same result as untraced, callback in caller context', async () => {
      const raw = mysql.createConnection({ uri });
      const conn = tracedMysql(raw, { peerService: 'orders-db' });
      expect(conn).toBeInstanceOf(raw.constructor);
      expect(untraced(conn)).toBe(raw);
      expect(tracedMysql(conn)).toBe(conn);
      const root = parent();
      let seen: Span | undefined;
      let command: unknown;
      const rows = await spanInContext(root, () =>
        cb<unknown[]>((done) => {
          command = conn.query(`SELECT n FROM ${table} WHERE n < ? AND email <> 'lit' ORDER BY n`, [3], (err, res) => {
            seen = getCurrentSpan();
            done(err, res as unknown[]);
          });
        }),
      );
      // With a callback, the returned command is mysql2's own: only the emitter form needs its listeners bound.
      expect(isTraced(command)).toBe(false);
      root.finish();
      const expected = await cb<unknown[]>((done) =>
        raw.query(`SELECT n FROM ${table} WHERE n < ? AND email <> 'lit' ORDER BY n`, [3], (e, r) =>
          done(e, r as unknown[]),
        ),
      );
      expect(rows).toEqual(expected);
      expect(seen).toBe(root);
      const span = tracing.one('mysql2:SELECT');
      expectChildOf(span, idsOf(root));
      expect(span.tags).toEqual({
        'span.kind': 'client',
        component: 'mysql2',
        'db.type': 'sql',
        'db.system': 'mysql',
        'db.instance': 'test',
        'db.user': 'root',
        'peer.ipv4': '127.0.0.1',
        'peer.port': 3306,
        'peer.service': 'orders-db',
        'db.statement': `SELECT n FROM ${table} WHERE n < ? AND email <> ? ORDER BY n`,
      });
      const view = conn.promise();
      const [viewRows] = await view.query('SELECT 5 AS v');
      expect(viewRows).toEqual([{ v: 5 }]);
      expect(tracing.named('mysql2:SELECT')).toHaveLength(2);
      tracing.expectAllFinishedOnce();
      raw.end();
    });

    it('execute (prepared) with callback and options object form', async () => {
      const conn = tracedMysql(mysql.createConnection({ uri }));
      const rows = await cb<unknown[]>((done) =>
        conn.execute(`SELECT n FROM ${table} WHERE n = ?`, [7], (e, r) => done(e, r as unknown[])),
      );
      const rows2 = await cb<unknown[]>((done) =>
        conn.query({ sql: `SELECT n FROM ${table} WHERE n = ?`, values: [8] }, (e, r) => done(e, r as unknown[])),
      );
      expect([rows, rows2]).toEqual([[{ n: 7 }], [{ n: 8 }]]);
      expect(tracing.named('mysql2:SELECT')).toHaveLength(2);
      tracing.expectAllFinishedOnce();
      untraced(conn).end();
    });

    it("emitter form: query(sql).on('result') and .stream(); the span ends on end", async () => {
      // A command's `then` logs "You have tried to call .then()…" and throws: never touched.
      const log = vi.spyOn(console, 'log');
      const conn = tracedMysql(mysql.createConnection({ uri }));
      const rows: unknown[] = [];
      await new Promise<void>((resolve, reject) => {
        conn
          .query(`SELECT n FROM ${table} ORDER BY n LIMIT 5`)
          .on('result', (row) => rows.push(row))
          .on('error', reject)
          .on('end', () => resolve());
      });
      expect(rows).toHaveLength(5);
      const streamed: unknown[] = [];
      await new Promise<void>((resolve, reject) => {
        conn
          .query(`SELECT n FROM ${table} ORDER BY n LIMIT 7`)
          .stream()
          .on('data', (row: unknown) => streamed.push(row))
          .on('error', reject)
          .on('end', () => resolve());
      });
      expect(streamed).toHaveLength(7);
      const failing = await new Promise<unknown>((resolve) => {
        conn.query('SELEC 1').on('error', resolve);
      });
      expect((failing as { code: string }).code).toBe('ER_PARSE_ERROR');
      await new Promise((r) => setTimeout(r, 10));
      const spans = tracing.spans();
      expect(spans.map((s) => s.name)).toEqual(['mysql2:SELECT', 'mysql2:SELECT', 'mysql2:SELEC']);
      expect(spans.map((s) => s.error)).toEqual([false, false, true]);
      expect(errorLog(spans[2] as RecordedSpan)).toMatchObject({ 'exception.type': 'ER_PARSE_ERROR' });
      expect(log).not.toHaveBeenCalled();
      log.mockRestore();
      tracing.expectAllFinishedOnce();
      untraced(conn).end();
    });

    it('.stream() destroyed early: the span ends once, the connection stays usable', async () => {
      const conn = tracedMysql(mysql.createConnection({ uri }));
      const stream = conn.query(`SELECT n FROM ${table} ORDER BY n`).stream({ highWaterMark: 2 });
      await new Promise<void>((resolve) => {
        stream.once('data', () => {
          stream.destroy();
          resolve();
        });
      });
      const rows = await cb<unknown[]>((done) => conn.query('SELECT 9 AS z', (e, r) => done(e, r as unknown[])));
      expect(rows).toEqual([{ z: 9 }]);
      await new Promise((r) => setTimeout(r, 20));
      expect(tracing.named('mysql2:SELECT')).toHaveLength(2);
      tracing.expectAllFinishedOnce();
      untraced(conn).end();
    });

    it('transactions: beginTransaction/commit/rollback are spans', async () => {
      const conn = tracedMysql(mysql.createConnection({ uri }));
      const root = parent();
      await spanInContext(root, async () => {
        await cb((done) => conn.beginTransaction(done));
        await cb((done) => conn.query(`UPDATE ${table} SET n = n WHERE id = -1`, done));
        await cb((done) => conn.commit(done));
        await cb((done) => conn.beginTransaction(done));
        await cb((done) => conn.rollback(done));
      });
      root.finish();
      const names = tracing.spans().filter((s) => s.name !== 'parent');
      expect(names.map((s) => s.name)).toEqual([
        'mysql2:BEGIN',
        'mysql2:UPDATE',
        'mysql2:COMMIT',
        'mysql2:BEGIN',
        'mysql2:ROLLBACK',
      ]);
      for (const s of names) expectChildOf(s, idsOf(root));
      tracing.expectAllFinishedOnce();
      untraced(conn).end();
    });

    it('pool: query, getConnection hands out a traced connection; .promise() view is traced', async () => {
      const raw = mysql.createPool({ uri, connectionLimit: 2 });
      const pool = tracedMysql(raw);
      await cb((done) => pool.query('SELECT 1', done));
      const conn = await cb<mysql.PoolConnection>((done) => pool.getConnection(done));
      expect(untraced(conn)).not.toBe(conn);
      await cb((done) => conn.query('SELECT 2', done));
      conn.release();
      const promised = pool.promise();
      const [rows] = await promised.query('SELECT 3 AS x');
      expect(rows).toEqual([{ x: 3 }]);
      const pconn = await promised.getConnection();
      await pconn.execute('SELECT ? AS y', [4]);
      pconn.release();
      expect(tracing.named('mysql2:SELECT')).toHaveLength(4);
      tracing.expectAllFinishedOnce();
      await promised.end();
    });

    it('pool cluster and namespaces', async () => {
      const cluster = tracedMysql(mysql.createPoolCluster());
      cluster.add('a', { uri });
      const ns = cluster.of('*');
      await cb((done) => ns.query('SELECT 1', done));
      const conn = await cb<mysql.PoolConnection>((done) => cluster.getConnection(done));
      await cb((done) => conn.query(`DELETE FROM ${table} WHERE id = -1`, done));
      conn.release();
      expect(tracing.spans().map((s) => s.name)).toEqual(['mysql2:SELECT', 'mysql2:DELETE']);
      expect(tracing.spans()[0]?.tags['db.system']).toBe('mysql');
      await new Promise((r) => cluster.end(r));
    });
  });

  describe('promise API', () => {
    it('mysql2/promise pool cluster: of() namespaces and getConnection are traced', async () => {
      const cluster = tracedMysql(mysqlPromise.createPoolCluster());
      cluster.add('a', { uri });
      const [rows] = await cluster.of('*').query('SELECT 1 AS a');
      expect(rows).toEqual([{ a: 1 }]);
      const [rows2] = await cluster.of('*').execute('SELECT ? AS b', [2]);
      expect(rows2).toEqual([{ b: 2 }]);
      const conn = await cluster.getConnection();
      await conn.query('SELECT 3');
      conn.release();
      expect(tracing.named('mysql2:SELECT')).toHaveLength(3);
      tracing.expectAllFinishedOnce();
      await cluster.end();
    });

    it('mysql2/promise connection: query, execute, transactions; same results', async () => {
      const raw = await mysqlPromise.createConnection({ uri });
      const conn = tracedMysql(raw);
      const root = parent();
      const [rows, fields] = await spanInContext(root, () => conn.query(`SELECT n FROM ${table} WHERE n = ?`, [1]));
      const [rawRows] = await raw.query(`SELECT n FROM ${table} WHERE n = ?`, [1]);
      expect(rows).toEqual(rawRows);
      expect(Array.isArray(fields)).toBe(true);
      expect(conn.query).toBe(conn.query);
      expect(conn.query.name).toBe(raw.query.name);
      await spanInContext(root, async () => {
        await conn.beginTransaction();
        await conn.execute(`UPDATE ${table} SET n = n WHERE id = ?`, [-1]);
        await conn.rollback();
      });
      root.finish();
      expect(tracing.spans().map((s) => s.name)).toEqual([
        'mysql2:SELECT',
        'mysql2:BEGIN',
        'mysql2:UPDATE',
        'mysql2:ROLLBACK',
        'parent',
      ]);
      tracing.expectAllFinishedOnce();
      await raw.end();
    });

    it('responseHook receives the rows, from the promise and the callback API alike', async () => {
      const seen: unknown[] = [];
      const options = { responseHook: (_span: Span, result: unknown) => void seen.push(result) };
      const raw = await mysqlPromise.createConnection({ uri });
      await tracedMysql(raw, options).query('SELECT 1 AS one');
      const rawCallback = mysql.createConnection({ uri });
      const callback = tracedMysql(rawCallback, options);
      await new Promise((resolve, reject) =>
        callback.query('SELECT 1 AS one', (error, rows) => (error ? reject(error) : resolve(rows))),
      );
      expect(seen).toEqual([[{ one: 1 }], [{ one: 1 }]]);
      await raw.end();
      await new Promise((resolve) => rawCallback.end(resolve));
    });

    it('mysql2/promise pool: 50 concurrent queries under 50 parents on one connection', async () => {
      const pool = tracedMysql(mysqlPromise.createPool({ uri, connectionLimit: 1 }));
      const parents = Array.from({ length: 50 }, (_, i) => parent(`p${i}`));
      await Promise.all(
        parents.map((p, i) =>
          spanInContext(p, async () => {
            const [rows] = await pool.query('SELECT ? AS i', [i]);
            expect(rows).toEqual([{ i }]);
            expect(getCurrentSpan()).toBe(p);
          }),
        ),
      );
      for (const p of parents) p.finish();
      const byId = new Map(tracing.spans().map((s) => [s.spanId, s]));
      const queries = tracing.named('mysql2:SELECT');
      expect(queries).toHaveLength(50);
      for (const q of queries) expect(byId.get(q.parentId ?? '')?.name).toMatch(/^p\d+$/);
      expect(new Set(queries.map((q) => q.parentId)).size).toBe(50);
      tracing.expectAllFinishedOnce();
      await pool.end();
    });

    it('callback pool of size 1: queued callbacks run in their caller context', async () => {
      const pool = tracedMysql(mysql.createPool({ uri, connectionLimit: 1 }));
      const parents = Array.from({ length: 20 }, (_, i) => parent(`c${i}`));
      const mismatches: number[] = [];
      await Promise.all(
        parents.map((p, i) =>
          spanInContext(p, () =>
            cb((done) => {
              if (i % 2 === 0) {
                pool.query('SELECT SLEEP(0.001)', (err) => {
                  if (getCurrentSpan() !== p) mismatches.push(i);
                  done(err);
                });
              } else {
                pool.getConnection((err, conn) => {
                  if (getCurrentSpan() !== p) mismatches.push(i);
                  if (err) return done(err);
                  conn.query('SELECT 1', (qerr) => {
                    if (getCurrentSpan() !== p) mismatches.push(i);
                    conn.release();
                    done(qerr);
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
      for (const q of tracing.named('mysql2:SELECT')) expect(byId.get(q.parentId ?? '')?.name).toMatch(/^c\d+$/);
      expect(tracing.named('mysql2:SELECT')).toHaveLength(20);
      await new Promise((r) => pool.end(r));
    });

    it('emitter form on a pool of size 1: result, end and stream listeners run in their caller context', async () => {
      const pool = tracedMysql(mysql.createPool({ uri, connectionLimit: 1 }));
      const parents = Array.from({ length: 20 }, (_, i) => parent(`e${i}`));
      const mismatches: string[] = [];
      const check = (what: string, i: number, p: Span) => {
        if (getCurrentSpan() !== p) mismatches.push(`${what} ${i}`);
      };
      await Promise.all(
        parents.map((p, i) =>
          spanInContext(
            p,
            () =>
              new Promise<void>((resolve, reject) => {
                // Both forms: listeners on the command itself, and on its `.stream()`.
                const command = pool.query(`SELECT n FROM ${table} ORDER BY n LIMIT 3`);
                if (i % 2 === 0) {
                  command
                    .on('result', () => check('result', i, p))
                    .once('fields', () => check('fields', i, p))
                    .on('error', reject)
                    .on('end', () => {
                      check('end', i, p);
                      resolve();
                    });
                } else {
                  command
                    .stream()
                    .on('data', () => check('data', i, p))
                    .on('error', reject)
                    .on('end', () => {
                      check('stream end', i, p);
                      resolve();
                    });
                }
              }),
          ),
        ),
      );
      for (const p of parents) p.finish();
      expect(mismatches).toEqual([]);
      await new Promise((r) => setTimeout(r, 20));
      const byId = new Map(tracing.spans().map((s) => [s.spanId, s]));
      const queries = tracing.named('mysql2:SELECT');
      expect(queries).toHaveLength(20);
      for (const q of queries) expect(byId.get(q.parentId ?? '')?.name).toMatch(/^e\d+$/);
      tracing.expectAllFinishedOnce();
      await new Promise((r) => pool.end(r));
    });
  });

  describe('errors and secrets', () => {
    it('ER_DUP_ENTRY with a secret value: error.kind, same error, the secret in no tag or log', async () => {
      const raw = await mysqlPromise.createConnection({ uri });
      const conn = tracedMysql(raw);
      const email = `${SECRET}@example.com`;
      await conn.execute(`INSERT INTO ${table} (email, n) VALUES (?, 1)`, [email]);
      const promise = conn.execute(`INSERT INTO ${table} (email, n) VALUES (?, 2)`, [email]);
      const error = (await promise.catch((e: unknown) => e)) as Error & { code: string; sql: string };
      const literal = (await conn
        .query(`INSERT INTO ${table} (email, n) VALUES ('${email}', 3)`)
        .catch((e: unknown) => e)) as Error & { code: string };
      const rawError = (await raw
        .execute(`INSERT INTO ${table} (email, n) VALUES (?, 2)`, [email])
        .catch((e: unknown) => e)) as Error & { code: string };
      expect(error.code).toBe('ER_DUP_ENTRY');
      expect(error.message).toContain(SECRET);
      expect(literal.code).toBe('ER_DUP_ENTRY');
      expect({ code: error.code, message: error.message }).toEqual({ code: rawError.code, message: rawError.message });
      const failed = tracing.named('mysql2:INSERT').filter((s) => s.error);
      expect(failed).toHaveLength(2);
      for (const span of failed) {
        expect(errorLog(span)).toMatchObject({ 'exception.type': 'ER_DUP_ENTRY' });
        expect(String(errorLog(span)?.['exception.message'])).toBe('Duplicate entry ? for key ?');
      }
      expect(everything()).not.toContain(SECRET);
      await conn.execute(`DELETE FROM ${table} WHERE email = ?`, [email]);
      await raw.end();
    });

    it('syntax error: ER_PARSE_ERROR, rethrown unchanged', async () => {
      const conn = tracedMysql(await mysqlPromise.createConnection({ uri }));
      const error = (await conn.query('SELEC 1').catch((e: unknown) => e)) as { code: string };
      expect(error.code).toBe('ER_PARSE_ERROR');
      const span = tracing.one('mysql2:SELEC');
      expect(span.error).toBe(true);
      expect(errorLog(span)).toMatchObject({ 'exception.type': 'ER_PARSE_ERROR' });
      await conn.end();
    });

    it("promise API errors: the stack mysql2 captures starts at the caller's frame, as untraced; the span logs that stack", async () => {
      // mysql2/promise replaces a failed query's stack with the caller's, captured at the call.
      const pool = mysqlPromise.createPool({ uri, connectionLimit: 1 });
      async function callerOfTheQuery(client: mysqlPromise.Pool | mysqlPromise.PoolConnection) {
        return client.query('SELEC 1');
      }
      const frames = async (client: mysqlPromise.Pool | mysqlPromise.PoolConnection) => {
        const error = (await callerOfTheQuery(client).catch((e: unknown) => e)) as Error;
        const lines = String(error.stack).split('\n').slice(1);
        return lines.findIndex((line) => line.includes('callerOfTheQuery'));
      };
      expect(await frames(pool)).toBe(0);
      const traced = tracedMysql(pool);
      expect(await frames(traced)).toBe(0);
      const stack = String(errorLog(tracing.one('mysql2:SELEC'))?.['exception.stacktrace']);
      expect(stack.split('\n')[1]).toContain('callerOfTheQuery');
      expect(await frames(tracedMysql(pool, { tracer: new Tracer() }))).toBe(0); // nothing recorded
      const connection = await traced.getConnection();
      expect(await frames(connection)).toBe(0);
      expect(tracing.named('mysql2:SELEC')).toHaveLength(2);
      connection.release();
      await pool.end();
    });
    it('captureParams: true records parameter values', async () => {
      const conn = tracedMysql(await mysqlPromise.createConnection({ uri }), { captureParams: true });
      await conn.query('SELECT ? AS a, ? AS b', [SECRET, Buffer.from('abc')]);
      expect(tracing.one('mysql2:SELECT').tags['db.params']).toBe(`["${SECRET}", <Buffer 3 bytes>]`);
      await conn.end();
    });

    it('connection refused: a pool query span errors with ECONNREFUSED', async () => {
      const pool = tracedMysql(mysqlPromise.createPool({ host: '127.0.0.1', port: 1, user: 'root' }));
      const error = (await pool.query('SELECT 1').catch((e: unknown) => e)) as { code: string };
      expect(error.code).toBe('ECONNREFUSED');
      const span = tracing.one('mysql2:SELECT');
      expect(span.error).toBe(true);
      expect(span.tags['peer.port']).toBe(1);
      tracing.expectAllFinishedOnce();
      await pool.end();
    });

    it('server-side disconnect during a query: the span errors, finishes once', async () => {
      const conn = tracedMysql(await mysqlPromise.createConnection({ uri }));
      conn.on('error', () => {});
      const [[row]] = (await conn.query('SELECT CONNECTION_ID() AS id')) as unknown as [[{ id: number }]];
      // Handled from the start: the query may fail before KILL's own reply arrives, and a
      // traced promise object, like mysql2's, leaves an unhandled rejection unhandled.
      const sleeping = conn.query('SELECT SLEEP(10)').catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 150));
      await admin.query(`KILL ${row.id}`);
      const error = await sleeping;
      expect(error).toBeInstanceOf(Error);
      const span = tracing.named('mysql2:SELECT').find((s) => s.error) as RecordedSpan;
      expect(span.tags['db.statement']).toBe('SELECT SLEEP(?)');
      tracing.expectAllFinishedOnce();
    });
  });

  describe('statement recording', () => {
    it('1 MB statement: sanitized and capped; raw mode capped with the marker', async () => {
      const conn = tracedMysql(await mysqlPromise.createConnection({ uri }));
      const rawMode = tracedMysql(untraced(conn), { statement: 'raw' });
      const big = `SELECT LENGTH('${'y'.repeat(1024 * 1024)}') AS len`;
      const [rows] = await conn.query(big);
      expect(rows).toEqual([{ len: 1024 * 1024 }]);
      expect(tracing.one('mysql2:SELECT').tags['db.statement']).toBe('SELECT LENGTH(?) AS len');
      await rawMode.query(big);
      const raw = String(tracing.named('mysql2:SELECT')[1]?.tags['db.statement']);
      expect(raw).toHaveLength(2048);
      expect(raw.endsWith(TRUNCATION_MARKER)).toBe(true);
      await conn.end();
    });

    it('sqlComment on query (seen by the server), never on execute', async () => {
      const conn = tracedMysql(await mysqlPromise.createConnection({ uri }), { sqlComment: true });
      await conn.query('SELECT 1 AS one');
      const [rows] = (await conn.query(
        'SELECT info FROM information_schema.processlist WHERE id = CONNECTION_ID()',
      )) as unknown as [{ info: string }[]];
      const [first] = tracing.named('mysql2:SELECT').slice(-1);
      expect(rows[0]?.info).toContain(`/*traceparent='00-${first?.traceId}-`);
      await conn.execute('SELECT ? AS x', [1]);
      expect(tracing.named('mysql2:SELECT')).toHaveLength(3);
      await conn.end();
    });
  });
});
