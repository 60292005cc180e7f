/**
 * `pipeline()` and `multi()`: one span for the whole batch (`redis:PIPELINE` /
 * `redis:MULTI`), tagged with the command count and the distinct command names; a child
 * span per command only when `pipelineCommandSpans` asks for it. Queued commands cost
 * nothing: the batch is read once, from the pipeline's queue, when `exec` is called.
 */
import type { Span } from 'opentracing';
import {
  type MethodTable,
  type Settlement,
  SpanSettler,
  type TagMap,
  traceCall,
  tracedProxy,
} from '../../core/index.js';
import { addTagsSafely, setTagSafely } from '../../core/span-ops.js';
import { redisErrorKind } from './errors.js';
import type { PipelineInternals, RawCommand } from './internal-types.js';
import {
  type ClientState,
  commandTags,
  dbTags,
  TAG_BATCH_COMMANDS,
  TAG_BATCH_SIZE,
  TAG_FAILED_COMMANDS,
  withServingNode,
} from './state.js';
import type { RedisRequestInfo } from './types.js';

/** `PIPELINE` or `MULTI`. */
export type BatchKind = 'PIPELINE' | 'MULTI';

/** Tag of a transaction that `EXEC` aborted because a `WATCH`ed key changed (the reply was nil). */
export const TAG_TRANSACTION_ABORTED = 'redis.transaction.aborted';
/** Tag of a `multi({ pipeline: false })` ended by `DISCARD`. */
export const TAG_TRANSACTION_DISCARDED = 'redis.transaction.discarded';

interface BatchState {
  readonly client: ClientState;
  readonly kind: BatchKind;
}

const batches = new WeakMap<object, BatchState>();

/** The distinct uppercase names of a batch's commands, in first-seen order. */
export function distinctNames(names: readonly string[]): string {
  return [...new Set(names)].join(',');
}

/** Tags of a batch span: its size, the distinct names of its commands, its database. */
export function batchTagsOf(client: ClientState, names: readonly string[]): TagMap {
  return { [TAG_BATCH_SIZE]: names.length, [TAG_BATCH_COMMANDS]: distinctNames(names), ...dbTags(client) };
}

/** The first key of a queued batch (ioredis routes a Cluster pipeline by it). */
function batchKey(client: ClientState, commands: readonly RawCommand[]): unknown {
  if (client.cluster === undefined) return undefined;
  for (const command of commands) {
    const key = typeof command.getKeys === 'function' ? command.getKeys()[0] : undefined;
    if (key !== undefined) return key;
  }
  return undefined;
}

/** Number of `[error, reply]` entries that hold an error. */
function failedCount(result: unknown): number {
  if (!Array.isArray(result)) return 0;
  let failed = 0;
  for (const entry of result) if (Array.isArray(entry) && entry[0] !== null && entry[0] !== undefined) failed++;
  return failed;
}

const CHILD_SETTLEMENT: Settlement = { errorKind: redisErrorKind };

/** Child spans of a batch, one per command, settled from the batch's `[error, reply]` list. */
function startChildren(client: ClientState, parent: Span, commands: readonly RawCommand[]): SpanSettler[] {
  const children: SpanSettler[] = [];
  for (const command of commands) {
    const upper = String(command.name).toUpperCase();
    const span = client.instrumentation.start(`redis:${upper}`, undefined, { parent });
    if (span === undefined) continue;
    addTagsSafely(span, commandTags(client, upper, String(command.name), command.args, undefined), client.onError);
    children.push(new SpanSettler(client.lifecycle, span, CHILD_SETTLEMENT));
  }
  return children;
}

function settleChildren(children: readonly SpanSettler[], result: unknown, error: unknown): void {
  for (let i = 0; i < children.length; i++) {
    const child = children[i] as SpanSettler;
    const entry = Array.isArray(result) ? (result[i] as unknown) : undefined;
    const failure = Array.isArray(entry) ? entry[0] : undefined;
    if (failure !== null && failure !== undefined) child.fail(failure);
    else if (error === undefined) child.succeed(Array.isArray(entry) ? entry[1] : undefined);
    else child.close();
  }
}

/** The settlement of a batch span, with its children when there are any. */
export function batchSettlement(kind: BatchKind, children: readonly SpanSettler[]): Settlement {
  return {
    errorKind: redisErrorKind,
    onSuccess: (span, result) => {
      const failed = failedCount(result);
      if (failed > 0) setTagSafely(span, TAG_FAILED_COMMANDS, failed);
      if (kind === 'MULTI' && result === null) setTagSafely(span, TAG_TRANSACTION_ABORTED, true);
      settleChildren(children, result, undefined);
    },
    onError: (_span, error) => settleChildren(children, undefined, error),
    responseInfo: (result) => ({ command: kind, result }),
  };
}

function userCommands(pipeline: PipelineInternals, kind: BatchKind): RawCommand[] {
  const queue = Array.isArray(pipeline._queue) ? pipeline._queue : [];
  if (kind === 'PIPELINE') return queue.slice();
  return queue.filter((c) => c.name !== 'multi' && c.name !== 'exec');
}

const execWrapper: MethodTable<object>[string] = (original, target, proxy) => {
  const batch = batches.get(proxy) as BatchState;
  const { client } = batch;
  const pipeline = target as PipelineInternals;
  return function tracedExec(this: unknown, ...args: unknown[]) {
    const kind = batch.kind;
    // `pipeline().multi()…exec()`: this `exec` only queues EXEC (and returns the pipeline);
    // the batch goes out, and is a span, at the next `exec()`.
    if (kind === 'PIPELINE' && (pipeline._transactions ?? 0) > 0) {
      const queued = Reflect.apply(original, target, args);
      return queued === target ? proxy : queued;
    }
    const instrumentation = client.instrumentation;
    let commands: RawCommand[] | undefined;
    let info: RedisRequestInfo | undefined;
    if (client.needsRequestInfo) {
      commands = userCommands(pipeline, kind);
      info = { command: kind, args: [], batch: commands.map((c) => String(c.name).toUpperCase()) };
    }
    const defaultName = kind === 'MULTI' ? 'redis:MULTI' : 'redis:PIPELINE';
    const span = instrumentation.start(
      info === undefined ? defaultName : instrumentation.operationName(defaultName, info),
    );
    if (span === undefined) return Reflect.apply(original, target, args);
    commands ??= userCommands(pipeline, kind);
    addTagsSafely(
      span,
      batchTagsOf(
        client,
        commands.map((c) => String(c.name).toUpperCase()),
      ),
      client.onError,
    );
    if (info !== undefined) instrumentation.requestHook(span, info);
    const children = client.options.pipelineCommandSpans === true ? startChildren(client, span, commands) : [];
    const settlement = withServingNode(client, batchSettlement(kind, children), batchKey(client, commands), true);
    return traceCall(client.lifecycle, span, original, target, args, settlement);
  };
};

const BATCH_METHODS: MethodTable<object> = { exec: execWrapper, execBuffer: execWrapper };

/** The traced form of a pipeline the client handed out. */
export function tracedBatch<P extends object>(client: ClientState, pipeline: P, kind: BatchKind): P {
  const proxy = tracedProxy(pipeline, BATCH_METHODS as MethodTable<P>);
  if (!batches.has(proxy)) batches.set(proxy, { client, kind });
  return proxy;
}
