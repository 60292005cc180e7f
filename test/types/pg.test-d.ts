import pg from 'pg';
import { describe, expectTypeOf, it } from 'vitest';
import { type PgTracingOptions, tracedPg } from '../../src/pg.js';

describe('tracedPg types', () => {
  it('returns the same type it was given', () => {
    expectTypeOf(tracedPg(new pg.Pool())).toEqualTypeOf<pg.Pool>();
    expectTypeOf(tracedPg(new pg.Client())).toEqualTypeOf<pg.Client>();
    const poolClient = {} as pg.PoolClient;
    expectTypeOf(tracedPg(poolClient)).toEqualTypeOf<pg.PoolClient>();
    class MyPool extends pg.Pool {
      extra = 1;
    }
    expectTypeOf(tracedPg(new MyPool())).toEqualTypeOf<MyPool>();
  });

  it('options are typed, hooks get one info object', () => {
    const options: PgTracingOptions = {
      statement: 'sanitized',
      captureParams: false,
      sqlComment: true,
      traceConnect: true,
      operationName: (info) => `pg:${info.method}:${info.name ?? ''}`,
      requestHook: (span, info) => {
        expectTypeOf(info.text).toEqualTypeOf<string | undefined>();
        span.setTag('x', 1);
      },
    };
    expectTypeOf(options).toExtend<PgTracingOptions>();
    // @ts-expect-error not a pg client
    tracedPg({ foo: 1 });
    // @ts-expect-error unknown statement mode
    tracedPg(new pg.Pool(), { statement: 'everything' });
  });
});
