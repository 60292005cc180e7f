/**
 * AUTH and HELLO arguments never reach a tag or a log, whatever the statement option:
 * against a private password-protected `redis-server` started for this file.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configure, resetConfig } from '../../src/core/index.js';
import { type TracedRedisOptions, tracedRedis } from '../../src/ioredis.js';
import { canStartRedisServer, type RedisServers, startPasswordServer } from '../helpers/redis-servers.js';
import { createTestTracing } from '../helpers/tracing.js';

const available = await canStartRedisServer();
if (!available && (process.env.CI === 'true' || process.env.CI === '1')) {
  throw new Error('redis-server is not installed (CI=true: a missing service is a failure)');
}
const tracing = createTestTracing();
const password = `pw-${randomBytes(8).toString('hex')}`;
const wrongPassword = `wrong-${randomBytes(8).toString('hex')}`;

describe.runIf(available)('tracedRedis: credentials never recorded (private password-protected redis-server)', () => {
  let server: RedisServers;
  const clients: Redis[] = [];
  const connect = (options: TracedRedisOptions, auth = true) => {
    const raw = new Redis({ host: '127.0.0.1', port: server.ports[0], ...(auth ? { password } : {}) });
    raw.on('error', () => {});
    clients.push(raw);
    return tracedRedis(raw, options);
  };

  beforeAll(async () => {
    server = await startPasswordServer(password);
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await server?.stop();
  });
  beforeEach(() => {
    tracing.reset();
    configure({ tracer: tracing.tracer });
  });
  afterEach(() => resetConfig());

  const everything = () => JSON.stringify(tracing.spans().map((s) => [s.name, s.tags, s.logs]));

  for (const statement of ['key', 'full', 'command'] as const) {
    it(`statement '${statement}': AUTH, HELLO and failing AUTH record no argument`, async () => {
      const redis = connect({ statement });
      // The connection-time AUTH (password option) is ioredis's own: not a user call, no span.
      expect(await redis.ping()).toBe('PONG');
      expect(tracing.spans().map((s) => s.name)).toEqual(['redis:PING']);

      expect(await redis.auth(password)).toBe('OK');
      expect(await redis.auth('default', password)).toBe('OK');
      expect(await redis.call('AUTH', password)).toBe('OK');
      expect(await redis.hello(2, 'AUTH', 'default', password)).toBeTruthy();
      const error = await redis.auth(wrongPassword).catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/WRONGPASS/);
      const viaCallback = await new Promise((resolve) => redis.auth(wrongPassword, (e) => resolve(e)));
      expect(viaCallback).toBeInstanceOf(Error);

      const auth = tracing.named('redis:AUTH');
      expect(auth.map((s) => [s.tags['db.statement'], s.error])).toEqual([
        ['AUTH', false],
        ['AUTH', false],
        ['AUTH', false],
        ['AUTH', true],
        ['AUTH', true],
      ]);
      expect(tracing.one('redis:HELLO').tags['db.statement']).toBe('HELLO');
      const dump = everything();
      expect(dump).not.toContain(password);
      expect(dump).not.toContain(wrongPassword);
    });
  }

  it('a custom statement function never sees AUTH arguments', async () => {
    const seen: string[] = [];
    const redis = connect({
      statement: (command, args) => {
        seen.push(command);
        return `${command} ${args.join(' ')}`;
      },
    });
    await redis.auth(password);
    await redis.set('traced-clients-auth-test', 'v');
    await redis.del('traced-clients-auth-test');
    expect(seen).toEqual(['SET', 'DEL']);
    expect(everything()).not.toContain(password);
  });

  it('a client whose connection-time AUTH fails: commands fail as raw ones, no password in spans', async () => {
    const raw = new Redis({
      host: '127.0.0.1',
      port: server.ports[0],
      password: wrongPassword,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    raw.on('error', () => {});
    clients.push(raw);
    const redis = tracedRedis(raw, { statement: 'full' });
    const error = await redis.get('k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(tracing.one('redis:GET').error).toBe(true);
    expect(everything()).not.toContain(wrongPassword);
  });

  it('requirepass server: the config and ACL commands never record their arguments either', async () => {
    const redis = connect({ statement: 'full' });
    await redis.config('GET', 'requirepass');
    await redis.acl('WHOAMI');
    expect(tracing.one('redis:CONFIG').tags['db.statement']).toBe('CONFIG GET');
    expect(tracing.one('redis:ACL').tags['db.statement']).toBe('ACL WHOAMI');
    expect(everything()).not.toContain(password);
  });
});
