import type { ClientTracingOptions } from '../../core/index.js';

/**
 * How much of a command `db.statement` records.
 * - `'key'`: the command, its keys, and `?` for every other argument (`SET user:42 ?`).
 * - `'command'`: the command name only (`SET`).
 * - `'full'`: every argument as sent (values too: opt in only where that is acceptable).
 */
export type RedisStatementMode = 'command' | 'key' | 'full';

/**
 * Builds `db.statement` yourself from the uppercase command name and its flattened
 * arguments (strings, numbers or Buffers). The result is capped. Never called for
 * credentials commands (`AUTH`, `HELLO`, `MIGRATE`, `ACL`, `CONFIG`, `SENTINEL`).
 */
export type RedisStatementFunction = (command: string, args: readonly unknown[]) => string;

/** What the request hook and an `operationName` function receive. */
export interface RedisRequestInfo {
  /** Uppercase command name (`GET`), or `PIPELINE` / `MULTI` for a batch. */
  readonly command: string;
  /**
   * The command's flattened arguments as the caller gave them (values included: a hook
   * that copies them into tags opts in to recording them). Empty for a batch.
   */
  readonly args: readonly unknown[];
  /** For a batch: the uppercase names of its commands, in order. */
  readonly batch?: readonly string[];
}

/** What the response hook receives. */
export interface RedisResponseInfo {
  /** Uppercase command name, or `PIPELINE` / `MULTI`. */
  readonly command: string;
  /** The reply, exactly as the caller gets it. */
  readonly result: unknown;
}

/**
 * Options of `tracedRedis`. Each overrides `configure()` for this client only.
 *
 * @example
 * tracedRedis(new Redis(), {
 *   peerService: 'session-cache',
 *   statement: 'command',          // record `GET`, not `GET session:42`
 *   pipelineCommandSpans: true,    // a child span per pipelined command
 *   requestHook: (span, info) => span.setTag('redis.args', info.args.length),
 * });
 */
export interface TracedRedisOptions extends ClientTracingOptions<RedisRequestInfo, RedisResponseInfo> {
  /**
   * What `db.statement` records. Credentials commands never record an argument.
   * @default 'key'
   */
  readonly statement?: RedisStatementMode | RedisStatementFunction;
  /**
   * Also give each command of a `pipeline()` / `multi()` a child span of the batch span.
   * Off by default so a batch of thousands of commands is one span.
   * @default false
   */
  readonly pipelineCommandSpans?: boolean;
}
