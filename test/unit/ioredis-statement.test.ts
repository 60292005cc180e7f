import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { keySlot } from '../../src/clients/ioredis/cluster-slot.js';
import { redisErrorKind } from '../../src/clients/ioredis/errors.js';
import { clusterNodeTags, clusterSeedTags, hostTags, standalonePeerTags } from '../../src/clients/ioredis/peer.js';
import { buildStatement, firstKey, flattenArgs, type StatementInput } from '../../src/clients/ioredis/statement.js';
import type { RedisStatementFunction, RedisStatementMode } from '../../src/clients/ioredis/types.js';

const input = (lower: string, args: unknown[], known = true, scriptKeys?: number | null): StatementInput => ({
  command: lower.toUpperCase(),
  lower,
  args: flattenArgs(lower, args),
  known,
  scriptKeys,
});
const statement = (
  lower: string,
  args: unknown[],
  mode: RedisStatementMode | RedisStatementFunction = 'key',
  known = true,
) => buildStatement(input(lower, args, known), mode, 2048);

describe('flattenArgs: the arguments as ioredis sends them', () => {
  it('flattens arrays one level and expands the object/Map forms of MSET and HSET', () => {
    expect(flattenArgs('del', [['a', 'b'], 'c'])).toEqual(['a', 'b', 'c']);
    expect(flattenArgs('mset', [{ a: 1, b: 2 }])).toEqual(['a', 1, 'b', 2]);
    expect(flattenArgs('msetnx', [new Map([['a', 1]])])).toEqual(['a', 1]);
    expect(flattenArgs('hset', ['h', { f: 'v' }])).toEqual(['h', 'f', 'v']);
    expect(flattenArgs('hmset', ['h', new Map([['f', 'v']])])).toEqual(['h', 'f', 'v']);
    expect(flattenArgs('hset', ['h', 'f', 'v'])).toEqual(['h', 'f', 'v']);
    expect(flattenArgs('set', ['k', Buffer.from('v')])).toEqual(['k', Buffer.from('v')]);
  });
});

describe("statement 'key' (the default): command and keys, every value ?", () => {
  it.each([
    ['set', ['user:42', 'Ada', 'EX', 10], 'SET user:42 ? ? ?'],
    ['get', ['user:42'], 'GET user:42'],
    ['hset', ['h', { name: 'Ada', city: 'London' }], 'HSET h ? ? ? ?'],
    ['del', ['a', 'b', 'c'], 'DEL a b c'],
    ['mget', [['a', 'b']], 'MGET a b'],
    ['mset', [{ a: 'secret', b: 'secret' }], 'MSET a ? b ?'],
    ['blpop', ['q1', 'q2', 5], 'BLPOP q1 q2 ?'],
    ['rename', ['from', 'to'], 'RENAME from to'],
    ['lmove', ['src', 'dst', 'LEFT', 'RIGHT'], 'LMOVE src dst ? ?'],
    ['ping', [], 'PING'],
    ['ping', ['message'], 'PING ?'],
    ['echo', ['secret'], 'ECHO ?'],
    ['select', [2], 'SELECT ?'],
    ['client', ['SETNAME', 'worker'], 'CLIENT SETNAME ?'],
    ['object', ['ENCODING', 'k'], 'OBJECT ENCODING k'],
    ['xinfo', ['STREAM', 's'], 'XINFO STREAM s'],
    ['zunionstore', ['dest', 2, 'a', 'b', 'WEIGHTS', 1, 2], 'ZUNIONSTORE dest 2 a b ? ? ?'],
    ['zunion', [2, 'a', 'b'], 'ZUNION 2 a b'],
    ['eval', ['return 1', 2, 'k1', 'k2', 'argv'], 'EVAL ? 2 k1 k2 ?'],
    ['evalsha', ['abc123', 1, 'k1', 'argv'], 'EVALSHA abc123 1 k1 ?'],
    ['fcall', ['myfn', 1, 'k1', 'argv'], 'FCALL myfn 1 k1 ?'],
    ['blmpop', [5, 2, 'a', 'b', 'LEFT'], 'BLMPOP ? 2 a b ?'],
    ['xread', ['COUNT', 2, 'STREAMS', 's1', 's2', '0', '0'], 'XREAD ? ? STREAMS s1 s2 ? ?'],
    ['xadd', ['s', '*', 'field', 'value'], 'XADD s ? ? ?'],
    ['publish', ['news', 'message body'], 'PUBLISH news ?'],
    ['subscribe', ['a', 'b'], 'SUBSCRIBE a b'],
    ['scan', [0, 'MATCH', 'user:*'], 'SCAN ? ? ?'],
  ])('%s %j → %s', (command, args, expected) => {
    expect(statement(command, args)).toBe(expected);
  });

  it('a command ioredis does not know records no argument', () => {
    expect(statement('json.set', ['doc', '$', '{"a":1}'], 'key', false)).toBe('JSON.SET ? ? ?');
  });

  it('Buffer keys are shown as text, Buffer values never', () => {
    expect(statement('set', [Buffer.from('bin:key'), Buffer.from('value')])).toBe('SET bin:key ?');
  });

  it('a defineCommand script shows its declared keys; a variable-keys script its numkeys', () => {
    expect(buildStatement(input('myscript', ['k1', 'k2', 'v'], false, 2), 'key', 2048)).toBe('MYSCRIPT k1 k2 ?');
    expect(buildStatement(input('myscript', [1, 'k1', 'v'], false, null), 'key', 2048)).toBe('MYSCRIPT 1 k1 ?');
  });
});

describe('the other statement modes', () => {
  it("'command' records the name only, 'full' every argument", () => {
    expect(statement('set', ['k', 'v'], 'command')).toBe('SET');
    expect(statement('set', ['k', 'v', 'EX', 10], 'full')).toBe('SET k v EX 10');
  });

  it('a function receives the uppercase name and the flattened arguments', () => {
    const seen: unknown[] = [];
    const fn: RedisStatementFunction = (command, args) => {
      seen.push([command, args]);
      return `${command}:${args.length}`;
    };
    expect(statement('hset', ['h', { a: 1 }], fn)).toBe('HSET:3');
    expect(seen).toEqual([['HSET', ['h', 'a', 1]]]);
  });

  it('statements are capped, also when a call has thousands of keys', () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => `key:${i}`);
    const text = buildStatement(input('del', keys), 'key', 100) as string;
    expect(text).toHaveLength(100);
    expect(text.startsWith('DEL key:0 key:1')).toBe(true);
    expect(text.endsWith('…[truncated]')).toBe(true);
  });

  it('a key-first command is capped the same way, by its key or by its hidden values', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => `secret:${i}`);
    const many = buildStatement(input('sadd', ['set:1', ...values]), 'key', 40) as string;
    expect(many).toHaveLength(40);
    expect(many.startsWith('SADD set:1 ? ? ?')).toBe(true);
    expect(many).not.toContain('secret');
    const longKey = buildStatement(input('get', ['k'.repeat(500)]), 'key', 40) as string;
    expect(longKey).toHaveLength(40);
    expect(longKey.startsWith(`GET ${'k'.repeat(20)}`)).toBe(true);
    expect(buildStatement(input('get', ['k']), 'key', 2048)).toBe('GET k');
    expect(buildStatement(input('set', [Buffer.from('k'), Buffer.from('v')]), 'key', 2048)).toBe('SET k ?');
  });
});

describe('credentials are never recorded, whatever the mode', () => {
  const modes: (RedisStatementMode | RedisStatementFunction)[] = [
    'key',
    'full',
    'command',
    (command, args) => `${command} ${args.join(' ')}`,
  ];
  it.each(modes.map((m) => [typeof m === 'function' ? 'function' : m, m] as const))('%s', (_name, mode) => {
    expect(statement('auth', ['hunter2'], mode)).toBe('AUTH');
    expect(statement('auth', ['user', 'hunter2'], mode)).toBe('AUTH');
    expect(statement('hello', [3, 'AUTH', 'user', 'hunter2'], mode)).toBe('HELLO');
    expect(statement('migrate', ['host', 6379, 'k', 0, 1000, 'AUTH', 'hunter2'], mode)).toBe('MIGRATE');
    expect(statement('config', ['set', 'requirepass', 'hunter2'], mode)).toBe('CONFIG SET');
    expect(statement('acl', ['SETUSER', 'bob', 'on', '>hunter2'], mode)).toBe('ACL SETUSER');
    expect(statement('sentinel', ['set', 'mymaster', 'auth-pass', 'hunter2'], mode)).toBe('SENTINEL SET');
  });
});

describe('firstKey: how a Cluster routes a command', () => {
  it('is the first key position, not the first argument', () => {
    expect(firstKey(input('set', ['k', 'v']))).toBe('k');
    expect(firstKey(input('eval', ['return 1', 1, 'k1']))).toBe('k1');
    expect(firstKey(input('xread', ['COUNT', 1, 'STREAMS', 's', '0']))).toBe('s');
    expect(firstKey(input('ping', []))).toBeUndefined();
    expect(firstKey(input('auth', ['secret']))).toBeUndefined();
  });
});

describe('keySlot: the Redis Cluster hash slot', () => {
  it('matches the slots Redis computes (CLUSTER KEYSLOT), hash tags included', () => {
    // Reference values from the Redis Cluster specification and `CLUSTER KEYSLOT`.
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('bar')).toBe(5061);
    expect(keySlot('hello')).toBe(866);
    expect(keySlot('123456789')).toBe(0x31c3 & 0x3fff);
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'));
    expect(keySlot('foo{}{bar}')).toBe(keySlot('foo{}{bar}')); // empty tag: the whole key
    expect(keySlot('foo{}{bar}')).not.toBe(keySlot('bar'));
    expect(keySlot(Buffer.from('foo'))).toBe(12182);
    expect(keySlot('')).toBe(0);
  });
});

describe('peer tags', () => {
  it('standalone: IPv4, IPv6, hostname, unix socket, Sentinel', () => {
    expect(hostTags('127.0.0.1', 6379)).toEqual({ 'peer.ipv4': '127.0.0.1', 'peer.port': 6379 });
    expect(hostTags('::1', 6380)).toEqual({ 'peer.ipv6': '::1', 'peer.port': 6380 });
    expect(hostTags('cache.internal', '7000')).toEqual({ 'peer.hostname': 'cache.internal', 'peer.port': 7000 });
    expect(standalonePeerTags({ path: '/tmp/redis.sock' })).toEqual({ 'peer.address': '/tmp/redis.sock' });
    expect(standalonePeerTags({ sentinels: [{ host: 'h' }], name: 'mymaster' })).toEqual({
      'redis.sentinel.name': 'mymaster',
    });
    expect(standalonePeerTags({})).toEqual({ 'peer.hostname': 'localhost', 'peer.port': 6379 });
  });

  it('Cluster: the seed list, and the master of a key slot when the slot map is known', () => {
    expect(clusterSeedTags({ startupNodes: [{ host: '10.0.0.1', port: 7000 }, '10.0.0.2:7001', 7002] })).toEqual({
      'redis.cluster.seeds': '10.0.0.1:7000,10.0.0.2:7001,127.0.0.1:7002',
    });
    const slots: string[][] = [];
    slots[keySlot('foo')] = ['10.0.0.3:7003', '10.0.0.4:7004'];
    slots[keySlot('pre:foo')] = ['10.0.0.5:7005'];
    expect(clusterNodeTags({ slots }, 'foo', true)).toEqual({ 'peer.ipv4': '10.0.0.3', 'peer.port': 7003 });
    expect(clusterNodeTags({ slots, options: { keyPrefix: 'pre:' } }, 'foo', true)).toEqual({
      'peer.ipv4': '10.0.0.5',
      'peer.port': 7005,
    });
    expect(clusterNodeTags({ slots, options: { keyPrefix: 'pre:' } }, 'foo', false)).toEqual({
      'peer.ipv4': '10.0.0.3',
      'peer.port': 7003,
    });
    // Unknown: not ready yet, replica reads, no key.
    expect(clusterNodeTags({ slots: [] }, 'foo', true)).toBeUndefined();
    expect(clusterNodeTags({ slots, options: { scaleReads: 'slave' } }, 'foo', true)).toBeUndefined();
    expect(clusterNodeTags({ slots }, undefined, true)).toBeUndefined();
  });
});

describe('error.kind', () => {
  it('is the code word of a Redis error reply, else left to the default', () => {
    const reply = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' });
    expect(redisErrorKind(reply('WRONGTYPE Operation against a key holding the wrong kind of value'))).toBe(
      'WRONGTYPE',
    );
    expect(redisErrorKind(reply('ERR value is not an integer or out of range'))).toBe('ERR');
    expect(redisErrorKind(reply('NOSCRIPT No matching script'))).toBe('NOSCRIPT');
    expect(redisErrorKind(reply('something lowercase'))).toBeUndefined();
    expect(redisErrorKind(new Error('ERR not a reply'))).toBeUndefined();
    expect(redisErrorKind('ERR')).toBeUndefined();
  });
});
