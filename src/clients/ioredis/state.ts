/**
 * What one traced client knows, computed once when it is wrapped: its instrumentation
 * (settings, fixed peer tags), how statements are built, which commands ioredis knows, and
 * the `multi({ pipeline: false })` transaction in progress, if any.
 */

import type { Span } from 'opentracing';
import {
  Instrumentation,
  type InstrumentationErrorHandler,
  reportFault,
  type Settlement,
  SPAN_KIND,
  type SpanSettler,
  settlementWith,
  TAG,
  type TagMap,
  type TagValue,
} from '../../core/index.js';
import { addTagsSafely, setTagSafely } from '../../core/span-ops.js';
import type { ClusterInternals, CommanderInternals, StandaloneInternals } from './internal-types.js';
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
  /** The start tags of the selected database's command spans, rebuilt only when it changes. */
  private commandTags: { readonly db: string; readonly tags: Readonly<Record<string, TagValue>> } | undefined;

  constructor(
    raw: object,
    readonly options: TracedRedisOptions,
    /** Lowercase names of the commands ioredis knows. */
    readonly known: ReadonlySet<string>,
  ) {
    const isCluster = (raw as CommanderInternals).isCluster === true;
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

  /** The same instrumentation, as the core lifecycle functions take it. */
  get lifecycle(): Instrumentation {
    return this.instrumentation as Instrumentation;
  }

  get onError(): InstrumentationErrorHandler | undefined {
    return this.instrumentation.onError;
  }

  /**
   * Start tags of a command span: the client's, with `db.instance` of the database selected
   * now. The tracer takes them in one call, where a tag set after the start is a call of its
   * own; the database changes only on `SELECT`, so the object is reused until then.
   */
  commandStartTags(): Readonly<Record<string, TagValue>> {
    const db = dbInstance(this);
    let cached = this.commandTags;
    if (cached === undefined || cached.db !== db) {
      cached = { db, tags: this.instrumentation.startTagsWith({ [TAG.DB_INSTANCE]: db }) };
      this.commandTags = cached;
    }
    return cached.tags;
  }
}

/** The selected database of a standalone client (a Cluster has only 0), as `db.instance` shows it. */
function dbInstance(client: ClientState): string {
  const standalone = client.standalone;
  if (standalone === undefined) return '0';
  const db = standalone.condition?.select ?? standalone.options?.db ?? 0;
  return db === 0 ? '0' : String(db);
}

/** `db.instance`: the selected database. */
export function dbTags(client: ClientState): TagMap {
  return { [TAG.DB_INSTANCE]: dbInstance(client) };
}

function statementInput(
  client: ClientState,
  command: string,
  lower: string,
  args: readonly unknown[],
  scriptKeys: number | null | undefined,
): StatementInput {
  return { command, lower, args, known: client.known.has(lower), scriptKeys };
}

/** Tags one command span started with {@link ClientState.commandStartTags}: its statement. */
export function tagCommand(
  span: Span,
  client: ClientState,
  command: string,
  lower: string,
  args: readonly unknown[],
  scriptKeys: number | null | undefined,
): void {
  const input = statementInput(client, command, lower, args, scriptKeys);
  const onError = client.onError;
  let statement: string | undefined;
  try {
    statement = buildStatement(input, client.statement, client.instrumentation.maxStatementLength);
  } catch (error) {
    // A custom statement function that throws: the span goes without a statement.
    reportFault(error, 'tags.ioredis', onError);
  }
  setTagSafely(span, TAG.DB_STATEMENT, statement, onError);
}

/** The key a Cluster routes a command by (its first key), if any. */
export function routingKey(
  client: ClientState,
  command: string,
  lower: string,
  args: readonly unknown[],
  scriptKeys: number | null | undefined,
): unknown {
  return firstKey(statementInput(client, command, lower, args, scriptKeys));
}

/**
 * For a Cluster: `settlement`, plus the serving node's peer tags when the call settles. Read
 * then, not at the start, so commands issued before the slot map was known (offline queue)
 * and commands redirected by `MOVED` name the node the map points to once they are served.
 * `prefixed`: the key already carries the client's `keyPrefix` (read from a queued command).
 */
export function withServingNode(
  client: ClientState,
  settlement: Settlement,
  key: unknown,
  prefixed: boolean,
): Settlement {
  const cluster = client.cluster;
  if (cluster === undefined || key === undefined) return settlement;
  const tagNode = (span: Span) => {
    const tags = clusterNodeTags(cluster, key, !prefixed);
    if (tags !== undefined) addTagsSafely(span, tags, client.onError);
  };
  return settlementWith(settlement, {
    onSuccess: (span, result) => {
      tagNode(span);
      settlement.onSuccess?.(span, result);
    },
    onError: (span, error) => {
      tagNode(span);
      settlement.onError?.(span, error);
    },
  });
}
