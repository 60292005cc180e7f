/**
 * What one traced client knows, computed once when it is wrapped: its instrumentation
 * (settings, fixed peer tags), how statements are built, which commands ioredis knows, and
 * the `multi({ pipeline: false })` transaction in progress, if any.
 */
import {
  guard,
  Instrumentation,
  type InstrumentationErrorHandler,
  SPAN_KIND,
  TAG,
  type TagMap,
} from '../../core/index.js';
import type { SpanSettler } from '../../core/lifecycle.js';
import type { ClusterInternals, StandaloneInternals } from './internal-types.js';
import { clusterNodeTags, clusterSeedTags, standalonePeerTags } from './peer.js';
import { buildStatement, firstKey, type StatementInput } from './statement.js';
import type {
  RedisRequestInfo,
  RedisResponseInfo,
  RedisStatementFunction,
  RedisStatementMode,
  TracedRedisOptions,
} from './types.js';

/** Number of commands in a batch span. */
export const TAG_BATCH_SIZE = 'redis.batch.size';
/** Distinct command names of a batch, comma-separated (`GET,SET`). */
export const TAG_BATCH_COMMANDS = 'redis.batch.commands';
/** Number of commands of a batch whose reply was an error. */
export const TAG_FAILED_COMMANDS = 'redis.batch.failed';

/** A `multi({ pipeline: false })` transaction: open from `MULTI` until `EXEC` or `DISCARD`. */
export interface OpenTransaction {
  readonly settler: SpanSettler;
  /** Uppercase names of the commands sent inside it so far. */
  readonly names: string[];
}

export class ClientState {
  readonly instrumentation: Instrumentation<RedisRequestInfo, RedisResponseInfo>;
  readonly statement: RedisStatementMode | RedisStatementFunction;
  /** An `operationName` function or a request hook needs the call described per call. */
  readonly needsRequestInfo: boolean;
  readonly standalone: StandaloneInternals | undefined;
  readonly cluster: ClusterInternals | undefined;
  transaction: OpenTransaction | undefined;

  constructor(
    raw: object,
    readonly options: TracedRedisOptions,
    /** Lowercase names of the commands ioredis knows. */
    readonly known: ReadonlySet<string>,
  ) {
    const isCluster = (raw as { isCluster?: unknown }).isCluster === true;
    this.cluster = isCluster ? (raw as ClusterInternals) : undefined;
    this.standalone = isCluster ? undefined : (raw as StandaloneInternals);
    this.statement = options.statement ?? 'key';
    this.needsRequestInfo = typeof options.operationName === 'function' || options.requestHook !== undefined;
    this.instrumentation = new Instrumentation({
      component: 'ioredis',
      spanKind: SPAN_KIND.CLIENT,
      fixedTags: {
        [TAG.DB_TYPE]: 'redis',
        ...(isCluster ? clusterSeedTags(raw as ClusterInternals) : standalonePeerTags(this.standalone?.options)),
      },
      options,
    });
  }

  get onError(): InstrumentationErrorHandler | undefined {
    return this.instrumentation.onError;
  }
}

/**
 * `db.instance` and, for a Cluster, the node serving `key`. `prefixed`: the key already
 * carries the client's `keyPrefix` (it was read from a queued command).
 */
export function placeTags(client: ClientState, key: unknown, prefixed: boolean): TagMap {
  const cluster = client.cluster;
  if (cluster !== undefined) {
    const node = key === undefined ? undefined : clusterNodeTags(cluster, key, !prefixed);
    return { [TAG.DB_INSTANCE]: '0', ...node };
  }
  const standalone = client.standalone;
  const db = standalone?.condition?.select ?? standalone?.options?.db ?? 0;
  return { [TAG.DB_INSTANCE]: String(db) };
}

/** Tags of one command span: statement, db index, Cluster node. */
export function commandTags(
  client: ClientState,
  command: string,
  lower: string,
  args: readonly unknown[],
  scriptKeys: number | null | undefined,
  prefixed: boolean,
): TagMap {
  const input: StatementInput = { command, lower, args, known: client.known.has(lower), scriptKeys };
  const statement = guard(
    'tags.ioredis',
    () => buildStatement(input, client.statement, client.instrumentation.maxStatementLength),
    client.onError,
  );
  const key = client.cluster === undefined ? undefined : firstKey(input);
  return { [TAG.DB_STATEMENT]: statement, ...placeTags(client, key, prefixed) };
}
