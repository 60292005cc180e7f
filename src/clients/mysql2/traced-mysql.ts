/**
 * `tracedMysql`: a traced drop-in of any mysql2 object that runs SQL: a connection, pool,
 * pool cluster or namespace, from `mysql2` (callbacks and emitters) or `mysql2/promise`.
 * mysql2 itself is only imported as types.
 */
import type { Connection, Pool, PoolCluster, PoolNamespace } from 'mysql2';
import type * as MysqlPromise from 'mysql2/promise';
import { Instrumentation, isTraced, type MethodTable, SPAN_KIND, tracedProxy } from '../../core/index.js';
import { SqlTracer } from '../../core/sql/index.js';
import { getConnectionWrapper, returnsTracedWrapper } from './hand-out.js';
import type { MysqlObjectLike } from './internal-types.js';
import { mysqlTags } from './peer.js';
import { drivenCore, promiseViewOf, viewMethodOn } from './promise-view.js';
import { type MysqlCallStyle, statementWrapper, transactionWrapper } from './query.js';
import type { MysqlQueryInfo, MysqlTracingOptions } from './types.js';

/** The mysql2 objects {@link tracedMysql} accepts (pool connections are connections). */
export type MysqlTraceable =
  | Connection
  | Pool
  | PoolCluster
  | PoolNamespace
  | MysqlPromise.Connection
  | MysqlPromise.Pool
  | MysqlPromise.PoolCluster;

/** A server error (`ER_DUP_ENTRY`…): its message quotes the offending value. */
function isServerError(error: unknown): boolean {
  return (
    error instanceof Error &&
    (typeof (error as { sqlMessage?: unknown }).sqlMessage === 'string' ||
      typeof (error as { sqlState?: unknown }).sqlState === 'string')
  );
}

/** `query`, `execute` and the transaction methods, settling in `style`. */
function sqlMethods<T extends object>(sql: SqlTracer<MysqlQueryInfo>, style: MysqlCallStyle): MethodTable<T> {
  return {
    query: statementWrapper<T>(sql, 'query', style),
    execute: statementWrapper<T>(sql, 'execute', style),
    beginTransaction: transactionWrapper<T>(sql, 'beginTransaction', style),
    commit: transactionWrapper<T>(sql, 'commit', style),
    rollback: transactionWrapper<T>(sql, 'rollback', style),
  };
}

function wrapWith<T extends object>(target: T, sql: SqlTracer<MysqlQueryInfo>): T {
  const instrumentation = sql.instrumentation as Instrumentation;
  const wrap = (value: object): object => wrapWith(value, sql);
  // A mysql2/promise view runs its own methods over a core whose SQL methods are traced
  // (promise-view.ts); any other object gets its SQL methods traced itself.
  const view = promiseViewOf(target);
  let methods: MethodTable<T>;
  if (view === undefined) {
    methods = sqlMethods<T>(sql, 'auto');
  } else {
    const viewMethod = viewMethodOn(view, target, drivenCore(view.core, sqlMethods(sql, 'driver-callback')));
    methods = {
      query: viewMethod,
      execute: viewMethod,
      beginTransaction: viewMethod,
      commit: viewMethod,
      rollback: viewMethod,
    };
  }
  return tracedProxy(target, {
    ...methods,
    getConnection: getConnectionWrapper<T>(instrumentation, wrap),
    promise: returnsTracedWrapper<T>(instrumentation, wrap),
    of: returnsTracedWrapper<T>(instrumentation, wrap),
  });
}

/**
 * Returns a traced drop-in of a mysql2 connection, pool, pool cluster or namespace (callback
 * or promise API), of the same type. `query` and `execute` in every style (callback, promise,
 * `query(sql).on('result', …)`, `.stream()`) are client spans `mysql2:<FIRST WORD>`;
 * `beginTransaction`/`commit`/`rollback` are `mysql2:BEGIN`/`COMMIT`/`ROLLBACK`.
 * `getConnection()`, `.promise()` and `cluster.of()` hand out traced objects.
 *
 * @example
 * import mysql from 'mysql2/promise';
 * import { tracedMysql } from 'traced-clients/mysql2';
 *
 * const pool = tracedMysql(mysql.createPool({ uri: process.env.MYSQL_URL }), { peerService: 'orders-db' });
 * const [rows] = await pool.query('SELECT * FROM orders WHERE id = ?', [id]);
 */
export function tracedMysql<T extends MysqlTraceable>(client: T, options?: MysqlTracingOptions): T {
  if (client === null || typeof client !== 'object' || isTraced(client)) return client;
  const instrumentation = new Instrumentation<MysqlQueryInfo, unknown>({
    component: 'mysql2',
    spanKind: SPAN_KIND.CLIENT,
    fixedTags: mysqlTags(client as unknown as MysqlObjectLike),
    options,
  });
  const sql = new SqlTracer<MysqlQueryInfo>(instrumentation, 'mysql2', 'mysql', options ?? {}, isServerError);
  return wrapWith(client, sql);
}
