/**
 * Which arguments of a Redis command are keys. The statement keeps keys and replaces every
 * other argument by `?`, so only these positions can ever reach a tag by default.
 *
 * Commands not named here that ioredis knows as built-ins take their key first (`GET k`,
 * `HSET k f v`, `ZADD k 1 m`…), the shape of almost every data command. Commands ioredis does
 * not know (a module's, sent with `call`) record no argument at all: safe by default.
 */

/** Where a command's keys are among its flattened arguments. */
export type KeySpec =
  /** The first argument. */
  | 'first'
  /** Every argument (`DEL a b`, `MGET a b`, channel names of `SUBSCRIBE`). */
  | 'all'
  /** Every argument but the last, a timeout (`BLPOP a b 5`). */
  | 'allButLast'
  /** `key value key value…` (`MSET`). */
  | 'pairs'
  /** The first two (`RENAME a b`, `LMOVE a b LEFT RIGHT`). */
  | 'firstTwo'
  /** No key (`PING`, `INFO`, `SCAN`). */
  | 'none'
  /** A subcommand, kept, and no key (`CLIENT SETNAME ?`). */
  | 'sub'
  /** A subcommand, kept, then a key (`OBJECT ENCODING k`, `XINFO STREAM k`). */
  | 'subKey'
  /** `numkeys key…` (`ZUNION 2 a b`, `SINTERCARD 2 a b`). */
  | 'numkeysFirst'
  /** `dest numkeys key…` (`ZUNIONSTORE d 2 a b`). */
  | 'destNumkeys'
  /** `value numkeys key…` where the first value is hidden (`EVAL <script> 1 k`, `BLMPOP 5 2 a b`). */
  | 'hiddenNumkeys'
  /** `name numkeys key…` where the first value is an identifier, kept (`EVALSHA <sha> 1 k`, `FCALL fn 1 k`). */
  | 'namedNumkeys'
  /** Keys after `STREAMS`, first half (`XREAD COUNT 1 STREAMS a b 0 0`). */
  | 'streams'
  /** Never any argument, whatever the statement option (`AUTH`, `HELLO`). */
  | 'secret'
  /** A subcommand, kept, never any other argument (`ACL SETUSER`, `CONFIG SET`). */
  | 'secretSub';

const table = (spec: KeySpec, names: string): [string, KeySpec][] => names.split(' ').map((name) => [name, spec]);

/** Command (lowercase) → key positions. */
export const KEY_SPECS: ReadonlyMap<string, KeySpec> = new Map<string, KeySpec>([
  // Credentials can be among the arguments: never recorded, even with `statement: 'full'`.
  ...table('secret', 'auth hello migrate'),
  ...table('secretSub', 'acl config sentinel'),
  ...table(
    'all',
    'del unlink exists mget touch watch sinter sunion sdiff sinterstore sunionstore sdiffstore pfcount pfmerge ' +
      'subscribe unsubscribe psubscribe punsubscribe ssubscribe sunsubscribe',
  ),
  ...table('allButLast', 'blpop brpop bzpopmin bzpopmax brpoplpush'),
  ...table('pairs', 'mset msetnx'),
  ...table('firstTwo', 'rename renamenx smove rpoplpush lmove blmove copy geosearchstore zrangestore'),
  ...table(
    'none',
    'ping echo info select dbsize flushdb flushall time lastsave save bgsave bgrewriteaof randomkey scan ' +
      'multi exec discard unwatch quit reset readonly readwrite role wait waitaof swapdb shutdown monitor ' +
      'asking lolwut replicaof slaveof failover sync psync replconf',
  ),
  ...table('sub', 'client cluster command debug latency module pubsub script slowlog function memory'),
  ...table('subKey', 'object xinfo xgroup'),
  ...table('numkeysFirst', 'zunion zinter zdiff sintercard lmpop zmpop zintercard'),
  ...table('destNumkeys', 'zunionstore zinterstore zdiffstore'),
  ...table('hiddenNumkeys', 'eval eval_ro blmpop bzmpop'),
  ...table('namedNumkeys', 'evalsha evalsha_ro fcall fcall_ro'),
  ...table('streams', 'xread xreadgroup'),
]);

/** The key spec of a command ioredis knows (`known`), or `none` for one it does not. */
export function keySpecOf(command: string, known: boolean): KeySpec {
  return KEY_SPECS.get(command) ?? (known ? 'first' : 'none');
}
