/**
 * `pipeline()` and `multi()`: one span for the whole batch (`redis:PIPELINE` /
 * `redis:MULTI`), tagged with the command count and the distinct command names; a child
 * span per command only when `pipelineCommandSpans` asks for it. Queued commands cost
 * nothing: the batch is read once, from the pipeline's queue, when `exec` is called.
 */
import type { Span } from 'opentracing';
import { isTraced, markTracedInPlace, type Settlement, SpanSettler, type TagMap, traceCall } from '../../core/index.js';
import { addTagsSafely, setTagSafely } from '../../core/span-ops.js';
import { redisErrorKind } from './errors.js';
import type { PipelineInternals, RawCommand } from './internal-types.js';
import {
  type ClientState,
  dbTags,
  TAG_BATCH_COMMANDS,
  TAG_BATCH_SIZE,
  TAG_FAILED_COMMANDS,
  tagCommand,
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
  /** `exec` has sent the batch (its span started, or nothing was to be recorded). */
  sent: boolean;
}

/**
 * The distinct uppercase names of a batch's commands, in first-seen order. Deduplicated
 * before uppercasing: a 100-command pipeline of one command uppercases one name, not 100.
 */
export function distinctNames(names: Iterable<string>): string {
  const seen = names instanceof Set ? (names as Set<string>) : new Set<string>(names);
  const upper = new Set<string>();
  for (const name of seen) upper.add(String(name).toUpperCase());
  return [...upper].join(',');
}

/** Tags of a batch span: its size, the distinct names of its commands, its database. */
export function batchTagsOf(client: ClientState, size: number, names: Iterable<string>): TagMap {
  return { [TAG_BATCH_SIZE]: size, [TAG_BATCH_COMMANDS]: distinctNames(names), ...dbTags(client) };
}

/** Whether a queued command is one the caller queued (not the MULTI/EXEC a `multi()` wraps them in). */
function isUserCommand(command: RawCommand, kind: BatchKind): boolean {
  return kind === 'PIPELINE' || (command.name !== 'multi' && command.name !== 'exec');
}

/** Tags of a batch about to be sent, read straight from its queue (no copy of it). */
function queuedBatchTags(client: ClientState, pipeline: PipelineInternals, kind: BatchKind): TagMap {
  const queue = Array.isArray(pipeline._queue) ? pipeline._queue : [];
  const names = new Set<string>();
  let size = 0;
  let last: string | undefined;
  for (const command of queue) {
    if (!isUserCommand(command, kind)) continue;
    size++;
    // Batches repeat a command back to back (100 GETs): a compare instead of a set insert.
    if (command.name === last) continue;
    last = command.name;
    names.add(last);
  }
  return batchTagsOf(client, size, names);
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
    const span = client.instrumentation.start(`redis:${upper}`, undefined, {
      parent,
      startTags: client.commandStartTags(),
    });
    if (span === undefined) continue;
    tagCommand(span, client, upper, String(command.name), command.args, undefined);
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
  if (children.length === 0) return kind === 'MULTI' ? MULTI_SETTLEMENT : PIPELINE_SETTLEMENT;
  return settlementWith(kind, children);
}

function settlementWith(kind: BatchKind, children: readonly SpanSettler[]): Settlement {
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

// Batches without child spans (the default) share one settlement per kind: no closures per exec.
const PIPELINE_SETTLEMENT = settlementWith('PIPELINE', []);
const MULTI_SETTLEMENT = settlementWith('MULTI', []);

function userCommands(pipeline: PipelineInternals, kind: BatchKind): RawCommand[] {
  const queue = Array.isArray(pipeline._queue) ? pipeline._queue : [];
  return queue.filter((c) => isUserCommand(c, kind));
}

type Exec = (this: unknown, ...args: unknown[]) => unknown;

/** `exec` of one batch: its span, then the original; later calls (ioredis's own retries) go straight through. */
function tracedExec(batch: BatchState, pipeline: PipelineInternals, original: Exec): Exec {
  const { client, kind } = batch;
  return function exec(this: unknown, ...args: unknown[]) {
    // `pipeline().multi()…exec()`: this `exec` only queues EXEC (and returns the pipeline);
    // the batch goes out, and is a span, at the next `exec()`.
    if (batch.sent || (kind === 'PIPELINE' && (pipeline._transactions ?? 0) > 0)) {
      return Reflect.apply(original, this, args);
    }
    // A Cluster pipeline calls its own `exec` again on MOVED/ASK/TRYAGAIN: still one span.
    batch.sent = true;
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
    if (span === undefined) return Reflect.apply(original, this, args);
    addTagsSafely(span, queuedBatchTags(client, pipeline, kind), client.onError);
    if (info !== undefined) instrumentation.requestHook(span, info);
    // The queue is copied only for what needs each command: child spans, a Cluster's routing key.
    const childSpans = client.options.pipelineCommandSpans === true;
    if (childSpans || client.cluster !== undefined) commands ??= userCommands(pipeline, kind);
    const children = childSpans && commands !== undefined ? startChildren(client, span, commands) : [];
    const key = commands === undefined ? undefined : batchKey(client, commands);
    const settlement = withServingNode(client, batchSettlement(kind, children), key, true);
    return traceCall(client.lifecycle, span, original, this, args, settlement);
  };
}

/**
 * Traces a pipeline the client just handed out, in place: its `exec` and `execBuffer`
 * become own properties of that one object, assigned exactly as ioredis's own `multi()`
 * assigns its `exec`, so queueing a command costs exactly what it costs untraced. A Proxy
 * made every queued command pay a trap and a wrapper, ~0.3–0.8 µs each: a fifth of a
 * 100-command pipeline's throughput; `Object.defineProperty` (to keep them non-enumerable)
 * cost ~1.7 µs per pipeline, more than everything else here together. Nothing shared is
 * touched (not `Pipeline.prototype`, not the client), and the pipeline stays the very object
 * ioredis made, so it is its own original.
 */
export function tracedBatch<P extends object>(client: ClientState, pipeline: P, kind: BatchKind): P {
  // Nothing will be recorded (opentracing's no-op tracer): the batch is handed out untouched,
  // before anything is read from it.
  if (client.instrumentation.hasNoopTracer()) return pipeline;
  if (pipeline === null || typeof pipeline !== 'object' || isTraced(pipeline)) return pipeline;
  const batch: BatchState = { client, kind, sent: false };
  const methods = pipeline as PipelineInternals & { exec?: unknown; execBuffer?: unknown };
  const exec = methods.exec;
  if (typeof exec === 'function') methods.exec = tracedExec(batch, methods, exec as Exec);
  const execBuffer = methods.execBuffer;
  if (typeof execBuffer === 'function') methods.execBuffer = tracedExec(batch, methods, execBuffer as Exec);
  return markTracedInPlace(pipeline);
}
