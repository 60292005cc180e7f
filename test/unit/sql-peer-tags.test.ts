import { afterEach, describe, expect, it } from 'vitest';
import { mysqlTags } from '../../src/clients/mysql2/peer.js';
import { pgTags } from '../../src/clients/pg/peer.js';
import { sqlFixedTags } from '../../src/core/sql/index.js';

const env = { ...process.env };
afterEach(() => {
  process.env = { ...env };
});

describe('SQL peer tags, computed once per client', () => {
  it('hostname, IPv4, IPv6, port, database, user', () => {
    expect(sqlFixedTags('postgresql', { host: 'db.internal', port: '5433', database: 'app', user: 'u' })).toEqual({
      'db.type': 'sql',
      'db.system': 'postgresql',
      'db.instance': 'app',
      'db.user': 'u',
      'peer.ipv4': undefined,
      'peer.ipv6': undefined,
      'peer.hostname': 'db.internal',
      'peer.port': 5433,
    });
    expect(sqlFixedTags('mysql', { host: '::1' })).toMatchObject({ 'peer.ipv6': '::1', 'peer.hostname': undefined });
    expect(sqlFixedTags('mysql', { host: '10.0.0.1', port: 'x' })).toMatchObject({
      'peer.ipv4': '10.0.0.1',
      'peer.port': undefined,
    });
  });

  it('pg Pool: options, then connection string (password never read), then PG* env, then defaults', async () => {
    const pool = (options: object) => ({ options, totalCount: 0, idleCount: 0 }) as never;
    expect(pgTags(pool({ connectionString: 'postgres://alice:pw@db.example:6543/shop' }), true)).toMatchObject({
      'peer.hostname': 'db.example',
      'peer.port': 6543,
      'db.instance': 'shop',
      'db.user': 'alice',
    });
    expect(
      JSON.stringify(pgTags(pool({ connectionString: 'postgres://alice:pw@db.example/shop' }), true)),
    ).not.toContain('pw');
    process.env.PGHOST = 'envhost';
    process.env.PGDATABASE = 'envdb';
    expect(pgTags(pool({}), true)).toMatchObject({
      'peer.hostname': 'envhost',
      'peer.port': 5432,
      'db.instance': 'envdb',
    });
    delete process.env.PGHOST;
    expect(pgTags(pool({ host: '127.0.0.1', port: 1 }), true)).toMatchObject({
      'peer.ipv4': '127.0.0.1',
      'peer.port': 1,
    });
    const faults: string[] = [];
    const { configure, resetConfig } = await import('../../src/core/index.js');
    configure({ onInstrumentationError: (_e, source) => faults.push(source) });
    expect(pgTags(pool({ connectionString: 'not a url' }), true)).toMatchObject({ 'peer.hostname': 'localhost' });
    expect(faults).toEqual(['tags.pg']);
    resetConfig();
  });

  it('mysql2: connection config, pool connectionConfig, promise views, socket path; clusters have none', () => {
    const config = { host: '127.0.0.1', port: 3306, database: 'test', user: 'root' };
    const expected = { 'peer.ipv4': '127.0.0.1', 'peer.port': 3306, 'db.instance': 'test', 'db.user': 'root' };
    expect(mysqlTags({ config })).toMatchObject(expected);
    expect(mysqlTags({ config: { connectionConfig: config } })).toMatchObject(expected);
    expect(mysqlTags({ connection: { config } })).toMatchObject(expected);
    expect(mysqlTags({ pool: { config: { connectionConfig: config } } })).toMatchObject(expected);
    expect(mysqlTags({ config: { socketPath: '/run/mysqld.sock', port: 3306 } })).toMatchObject({
      'peer.hostname': '/run/mysqld.sock',
      'peer.port': undefined,
    });
    expect(mysqlTags({})).toMatchObject({ 'db.system': 'mysql', 'peer.hostname': undefined });
  });
});
