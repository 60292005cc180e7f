/**
 * `tracedPg`: a traced drop-in of a pg `Pool`, `Client` or `PoolClient`. pg itself is only
 * imported as types: everything at run time comes from the object being wrapped.
 */
import type { Client, Pool } from 'pg';
import { Instrumentation, isTraced, type MethodTable, SPAN_KIND, tracedProxy } from '../../core/index.js';
import { setTagSafely } from '../../core/span-ops.js';
import { SqlTracer } from '../../core/sql/index.js';
import { connectWrapper } from './connect.js';
import type { PgClientLike, PgPoolLike } from './internal-types.js';
import { pgTags } from './peer.js';
import { queryWrapper } from './query.js';
import type { PgQueryInfo, PgTracingOptions } from './types.js';

function isPool(value: object): value is PgPoolLike {
  return 'totalCount' in value && 'idleCount' in value && typeof (value as PgPoolLike).connect === 'function';
}

/** pg's DatabaseError: a message from the server, which may quote the offending value. */
function isServerError(error: unknown): boolean {
  return error instanceof Error && typeof (error as { severity?: unknown }).severity === 'string';
}

function rowCount(span: import('opentracing').Span, result: unknown): void {
  const count = (result as { rowCount?: unknown } | null | undefined)?.rowCount;
  if (typeof count === 'number') setTagSafely(span, 'db.row_count', count);
}

function wrapClient<T extends object>(client: T, sql: SqlTracer<PgQueryInfo>): T {
  return tracedProxy(client, { query: queryWrapper<T>(sql, false) });
}

/**
 * Returns a traced drop-in of a pg `Pool`, `Client` or the `PoolClient` of `pool.connect()`,
 * of the same type: every query (text, values, config with `name`/`rowMode`/`types`,
 * promise or callback, Submittables such as pg-cursor and pg-query-stream) is a client span
 * `pg:<FIRST WORD>`, a child of the caller's current span also when a busy pool runs it
 * later. `pool.connect()` hands out traced clients; everything else (`release()`,
 * `pool.on`, `totalCount`, `escapeLiteral`…) is untouched.
 *
 * @example
 * import pg from 'pg';
 * import { tracedPg } from 'traced-clients/pg';
 *
 * const pool = tracedPg(new pg.Pool({ connectionString: process.env.DATABASE_URL }), {
 *   peerService: 'users-db',
 * });
 * const { rows } = await pool.query('SELECT * FROM users WHERE id = $1', [id]);
 */
export function tracedPg<T extends Pool | Client>(client: T, options?: PgTracingOptions): T {
  if (client === null || typeof client !== 'object' || isTraced(client)) return client;
  const target = client as unknown as PgPoolLike | PgClientLike;
  const pool = isPool(target);
  const instrumentation = new Instrumentation<PgQueryInfo, unknown>({
    component: 'pg',
    spanKind: SPAN_KIND.CLIENT,
    fixedTags: pgTags(target, pool),
    options,
  });
  const sql = new SqlTracer<PgQueryInfo>(instrumentation, 'pg', 'postgresql', options ?? {}, isServerError, rowCount);
  if (!pool) return wrapClient(client, sql);
  const methods: MethodTable<T> = {
    query: queryWrapper<T>(sql, true),
    connect: connectWrapper<T>(sql, options?.traceConnect === true, (c) => wrapClient(c, sql)),
  };
  return tracedProxy(client, methods);
}
