import type mysql from 'mysql2';
import type mysqlPromise from 'mysql2/promise';
import { describe, expectTypeOf, it } from 'vitest';
import { type MysqlTracingOptions, tracedMysql } from '../../src/mysql2.js';

describe('tracedMysql types', () => {
  it('returns the same type it was given, callback and promise APIs', () => {
    expectTypeOf(tracedMysql({} as mysql.Connection)).toEqualTypeOf<mysql.Connection>();
    expectTypeOf(tracedMysql({} as mysql.Pool)).toEqualTypeOf<mysql.Pool>();
    expectTypeOf(tracedMysql({} as mysql.PoolConnection)).toEqualTypeOf<mysql.PoolConnection>();
    expectTypeOf(tracedMysql({} as mysql.PoolCluster)).toEqualTypeOf<mysql.PoolCluster>();
    expectTypeOf(tracedMysql({} as mysqlPromise.Connection)).toEqualTypeOf<mysqlPromise.Connection>();
    expectTypeOf(tracedMysql({} as mysqlPromise.Pool)).toEqualTypeOf<mysqlPromise.Pool>();
    expectTypeOf(tracedMysql({} as mysqlPromise.PoolConnection)).toEqualTypeOf<mysqlPromise.PoolConnection>();
  });

  it('options are typed', () => {
    const options: MysqlTracingOptions = {
      statement: (sql) => sql.slice(0, 10),
      captureParams: true,
      sqlComment: false,
      requestHook: (span, info) => {
        expectTypeOf(info.method).toEqualTypeOf<'query' | 'execute' | 'beginTransaction' | 'commit' | 'rollback'>();
        span.setTag('m', info.method);
      },
    };
    expectTypeOf(options).toExtend<MysqlTracingOptions>();
    // @ts-expect-error not a mysql2 object
    tracedMysql({ foo: 1 });
  });
});
