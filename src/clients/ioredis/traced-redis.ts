/**
 * `tracedRedis`: an ioredis client (standalone or Cluster) whose commands are spans.
 *
 * The table below is the whole client: every command method ioredis generates (`get`,
 * `getBuffer`, …) and `call`/`sendCommand` are one span `redis:<CMD>`; `pipeline()` and
 * `multi()` hand out traced batches; `duplicate()` and `nodes()` hand out traced clients;
 * `defineCommand` scripts are spans named after the script. Everything else (events,
 * `status`, `options`, `connect`, `disconnect`) is the raw client's own.
 */
import type { Cluster, Redis } from 'ioredis';
import {
  isThenable,
  isTraced,
  type MethodTable,
  type MethodWrapper,
  type Settlement,
  SpanSettler,
  traceCall,
  tracedProxy,
  watchSettlement,
} from '../../core/index.js';
import { addTagsSafely, setTagSafely } from '../../core/span-ops.js';
import { batchSettlement, batchTagsOf, TAG_TRANSACTION_DISCARDED, tracedBatch } from './batch.js';
import { redisErrorKind } from './errors.js';
import type { CommanderInternals, RawCommand } from './internal-types.js';
import { ClientState, type OpenTransaction, routingKey, tagCommand, withServingNode } from './state.js';
import { flattenArgs } from './statement.js';
import type { RedisRequestInfo, TracedRedisOptions } from './types.js';

/** The clients `tracedRedis` accepts: `new Redis(…)` and `new Redis.Cluster(…)`. */
export type TraceableRedis = Redis | Cluster;

type Wrapper = MethodWrapper<object>;
type Table = Record<PropertyKey, Wrapper>;

/** Traced proxy → its client state (set before the proxy is handed to anyone). */
const states = new WeakMap<object, ClientState>();
/** Traced proxy → its own method table (the shared one plus its `defineCommand` scripts). */
const tables = new WeakMap<object, Table>();

const clientOf = (proxy: object): ClientState => states.get(proxy) as ClientState;

/** A command's names and settlement, made once: `GET`, `get`, `redis:GET`. */
interface CommandName {
  readonly command: string;
  readonly lower: string;
  readonly operation: string;
  /** How its spans settle, shared by every client. */
  readonly settlement: Settlement;
}

function commandName(lower: string, command: string): CommandName {
  const settlement: Settlement = { errorKind: redisErrorKind, responseInfo: (result) => ({ command, result }) };
  return { command, lower, operation: `redis:${command}`, settlement };
}

const commandNames = new Map<string, CommandName>();

/** The names of a command (cached: `call` passes the command name on every call). */
function namesOf(lower: string): CommandName {
  let names = commandNames.get(lower);
  if (names === undefined) {
    names = commandName(lower, lower.toUpperCase());
    // Bounded: `call` can be given any string.
    if (commandNames.size < 4096) commandNames.set(lower, names);
  }
  return names;
}

/** How a command span settles; for a Cluster, also naming the node that served it. */
function settle(
  client: ClientState,
  names: CommandName,
  args: readonly unknown[],
  scriptKeys: number | null | undefined,
  prefixed: boolean,
): Settlement {
  if (client.cluster === undefined) return names.settlement;
  const key = routingKey(client, names.command, names.lower, args, scriptKeys);
  return withServingNode(client, names.settlement, key, prefixed);
}

/** Reads the flattened arguments of one call (for statements, hooks and Cluster routing). */
type ArgsReader = (lower: string, args: readonly unknown[]) => unknown[];

/** A command method's arguments: flattened, without the trailing callback. */
const commandArgs: ArgsReader = (lower, args) => {
  const end = typeof args[args.length - 1] === 'function' ? args.length - 1 : args.length;
  return flattenArgs(lower, end === args.length ? args : args.slice(0, end));
};

/** `call(name, …args)`: the arguments after the name. */
const callArgs: ArgsReader = (lower, args) => commandArgs(lower, args.slice(1));

/** `sendCommand(command)`: the Command's own arguments (already flattened by ioredis). */
const sentCommandArgs: ArgsReader = (_lower, args) => {
  const commandArgs = (args[0] as Partial<RawCommand>).args;
  return Array.isArray(commandArgs) ? commandArgs : [];
};

/**
 * One command call: a span `redis:<CMD>` (or none: then the original runs directly), tagged,
 * settled by the call's promise or callback. Inside a `multi({ pipeline: false })`
 * transaction the command belongs to the transaction's span instead.
 */
function runCommand(
  client: ClientState,
  original: (...args: never[]) => unknown,
  target: object,
  args: unknown[],
  names: CommandName,
  readArgs: ArgsReader,
  scriptKeys: number | null | undefined,
): unknown {
  const transaction = client.transaction;
  if (transaction !== undefined)
    return queueInTransaction(client, transaction, original, target, args, names, readArgs);
  const instrumentation = client.instrumentation;
  // Before anything is read or allocated for the span (its start tags, the request info).
  if (instrumentation.hasNoopTracer()) return Reflect.apply(original, target, args);
  const { command, lower } = names;
  let info: RedisRequestInfo | undefined;
  if (client.needsRequestInfo) info = { command, args: readArgs(lower, args) };
  const span = instrumentation.start(
    info === undefined ? names.operation : instrumentation.operationName(names.operation, info),
    undefined,
    { startTags: client.commandStartTags() },
  );
  if (span === undefined) return Reflect.apply(original, target, args);
  const flat = info?.args ?? readArgs(lower, args);
  tagCommand(span, client, command, lower, flat, scriptKeys);
  if (info !== undefined) instrumentation.requestHook(span, info);
  // `sendCommand` settles by the Command's promise; the command methods by promise or callback.
  const style = readArgs === sentCommandArgs ? 'promise' : 'auto';
  const settlement = settle(client, names, flat, scriptKeys, readArgs === sentCommandArgs);
  return traceCall(client.lifecycle, span, original, target, args, settlement, style);
}

/** A command sent between `MULTI` and `EXEC`: counted in the transaction, a child span only on request. */
function queueInTransaction(
  client: ClientState,
  transaction: OpenTransaction,
  original: (...args: never[]) => unknown,
  target: object,
  args: unknown[],
  names: CommandName,
  readArgs: ArgsReader,
): unknown {
  transaction.names.push(names.command);
  if (client.options.pipelineCommandSpans !== true) return Reflect.apply(original, target, args);
  const span = client.instrumentation.start(names.operation, undefined, {
    parent: transaction.settler.span,
    startTags: client.commandStartTags(),
  });
  if (span === undefined) return Reflect.apply(original, target, args);
  const flat = readArgs(names.lower, args);
  tagCommand(span, client, names.command, names.lower, flat, undefined);
  const style = readArgs === sentCommandArgs ? 'promise' : 'auto';
  return traceCall(client.lifecycle, span, original, target, args, names.settlement, style);
}

/** A generated command method: `get`, `getBuffer`, `hset`, … */
function commandMethod(lower: string): Wrapper {
  const names = namesOf(lower);
  return (original, target, proxy) => {
    const client = clientOf(proxy);
    return function tracedCommand(this: unknown, ...args: unknown[]) {
      return runCommand(client, original, target, args, names, commandArgs, undefined);
    };
  };
}

/** A `defineCommand` script method: a span named after the script, its declared keys shown. */
function scriptMethod(name: string): Wrapper {
  const names = commandName(name, name.toUpperCase());
  return (original, target, proxy) => {
    const client = clientOf(proxy);
    const keys = (target as CommanderInternals).scriptsSet?.[name]?.numberOfKeys ?? null;
    return function tracedScript(this: unknown, ...args: unknown[]) {
      return runCommand(client, original, target, args, names, commandArgs, keys);
    };
  };
}

/** `call(name, …args)`, `callBuffer`, `send_command`: the command is the first argument. */
const callMethod: Wrapper = (original, target, proxy) => {
  const client = clientOf(proxy);
  return function tracedCall(this: unknown, ...args: unknown[]) {
    return runCommand(client, original, target, args, namesOf(String(args[0]).toLowerCase()), callArgs, undefined);
  };
};

/** `sendCommand(new Command(…))`: the low-level form, a span from the Command itself. */
const sendCommandMethod: Wrapper = (original, target, proxy) => {
  const client = clientOf(proxy);
  return function tracedSendCommand(this: unknown, ...args: unknown[]) {
    const command = args[0] as Partial<RawCommand> | null | undefined;
    if (command === null || typeof command !== 'object' || typeof command.name !== 'string') {
      return Reflect.apply(original, target, args);
    }
    return runCommand(client, original, target, args, namesOf(command.name.toLowerCase()), sentCommandArgs, undefined);
  };
};

/** `exec` / `discard`: end an open `multi({ pipeline: false })`, else a plain command. */
function transactionEnd(lower: 'exec' | 'discard'): Wrapper {
  const plain = commandMethod(lower);
  return (original, target, proxy) => {
    const client = clientOf(proxy);
    const untraced = plain(original, target, proxy);
    return function tracedTransactionEnd(this: unknown, ...args: unknown[]) {
      const transaction = client.transaction;
      if (transaction === undefined) return Reflect.apply(untraced, this, args);
      client.transaction = undefined;
      const span = transaction.settler.span;
      addTagsSafely(span, batchTagsOf(client, transaction.names.length, transaction.names), client.onError);
      const settlement = lower === 'exec' ? batchSettlement('MULTI', []) : DISCARD_SETTLEMENT;
      return traceCall(client.lifecycle, span, original, target, args, settlement);
    };
  };
}

const DISCARD_SETTLEMENT: Settlement = {
  errorKind: redisErrorKind,
  onSuccess: (span) => setTagSafely(span, TAG_TRANSACTION_DISCARDED, true),
  responseInfo: (result) => ({ command: 'MULTI', result }),
};

/**
 * `multi()`: a traced batch. `multi({ pipeline: false })` sends `MULTI` now: the span
 * `redis:MULTI` opens here and covers every command until `exec()` or `discard()`.
 */
const multiMethod: Wrapper = (original, target, proxy) => {
  const client = clientOf(proxy);
  return function tracedMulti(this: unknown, ...args: unknown[]) {
    // The same argument reading as ioredis: `multi(options)` or `multi(commands, options)`.
    const options = args[1] ?? (Array.isArray(args[0]) ? undefined : args[0]);
    if (options !== null && typeof options === 'object' && (options as { pipeline?: unknown }).pipeline === false) {
      return openTransaction(client, original, target, args);
    }
    return tracedBatch(client, Reflect.apply(original, target, args) as object, 'MULTI');
  };
};

function openTransaction(
  client: ClientState,
  original: (...args: never[]) => unknown,
  target: object,
  args: unknown[],
): unknown {
  if (client.transaction !== undefined) return Reflect.apply(original, target, args);
  const instrumentation = client.instrumentation;
  const info: RedisRequestInfo | undefined = client.needsRequestInfo ? { command: 'MULTI', args: [] } : undefined;
  const span = instrumentation.start(
    info === undefined ? 'redis:MULTI' : instrumentation.operationName('redis:MULTI', info),
  );
  if (span === undefined) return Reflect.apply(original, target, args);
  addTagsSafely(span, batchTagsOf(client, 0, []), client.onError);
  if (info !== undefined) instrumentation.requestHook(span, info);
  const transaction: OpenTransaction = {
    settler: new SpanSettler(client.lifecycle, span, batchSettlement('MULTI', [])),
    names: [],
  };
  client.transaction = transaction;
  const result = Reflect.apply(original, target, args);
  // MULTI refused: the transaction never opened, its span ends here. (When `exec` already
  // took the transaction, `EXEC` fails too and records it.)
  if (!isThenable(result)) return result;
  return watchSettlement(
    {
      succeed() {},
      fail(error) {
        if (client.transaction !== transaction) return;
        client.transaction = undefined;
        transaction.settler.fail(error);
      },
    },
    result,
  );
}

const pipelineMethod: Wrapper = (original, target, proxy) => {
  const client = clientOf(proxy);
  return function tracedPipeline(this: unknown, ...args: unknown[]) {
    return tracedBatch(client, Reflect.apply(original, target, args) as object, 'PIPELINE');
  };
};

/** `duplicate()`: a new connection with the same options, traced with the same options. */
const duplicateMethod: Wrapper = (original, target, proxy) => {
  const client = clientOf(proxy);
  return function tracedDuplicate(this: unknown, ...args: unknown[]) {
    const copy = Reflect.apply(original, target, args) as TraceableRedis;
    return client.instrumentation.handOut(copy, (c) => tracedRedis(c, client.options));
  };
};

/** Cluster `nodes()`: the node connections, traced (the same proxy for a node every time). */
const nodesMethod: Wrapper = (original, target, proxy) => {
  const client = clientOf(proxy);
  return function tracedNodes(this: unknown, ...args: unknown[]) {
    const nodes = Reflect.apply(original, target, args) as unknown;
    if (!Array.isArray(nodes)) return nodes;
    return nodes.map((node: TraceableRedis) =>
      client.instrumentation.handOut(node, (n) => tracedRedis(n, client.options)),
    );
  };
};

/** `defineCommand(name, …)`: the new script methods are traced from now on. */
const defineCommandMethod: Wrapper = (original, target, proxy) =>
  function tracedDefineCommand(this: unknown, ...args: unknown[]) {
    const result = Reflect.apply(original, target, args);
    const table = tables.get(proxy);
    if (table !== undefined && typeof args[0] === 'string') addScript(table, args[0]);
    return result === target ? proxy : result;
  };

/** `addBuiltinCommand(name)`: a command ioredis did not list, traced like the others. */
const addBuiltinCommandMethod: Wrapper = (original, target, proxy) =>
  function tracedAddBuiltinCommand(this: unknown, ...args: unknown[]) {
    const result = Reflect.apply(original, target, args);
    const table = tables.get(proxy);
    if (table !== undefined && typeof args[0] === 'string') {
      setEntry(table, args[0], commandMethod(args[0]));
      setEntry(table, `${args[0]}Buffer`, commandMethod(args[0]));
    }
    return result === target ? proxy : result;
  };

function addScript(table: Table, name: string): void {
  setEntry(table, name, scriptMethod(name));
  setEntry(table, `${name}Buffer`, scriptMethod(name));
}

/**
 * A client's own table entry. Defined, not assigned: the shared table under it is frozen,
 * and assigning a name it already has (a script called `get`) would throw.
 */
function setEntry(table: Table, key: string, wrapper: Wrapper): void {
  Object.defineProperty(table, key, { value: wrapper, writable: true, configurable: true, enumerable: true });
}

interface SharedTable {
  readonly table: Table;
  readonly known: ReadonlySet<string>;
}

/** One table per copy of ioredis (keyed by its `getBuiltinCommands`), built on first use. */
const sharedTables = new WeakMap<object, SharedTable>();

function sharedTableFor(raw: CommanderInternals): SharedTable {
  const key = raw.getBuiltinCommands as unknown as object;
  let shared = sharedTables.get(key);
  if (shared !== undefined) return shared;
  const names = (raw.getBuiltinCommands as () => string[]).call(raw);
  const table: Table = Object.create(null);
  for (const name of names) {
    table[name] = commandMethod(name);
    table[`${name}Buffer`] = commandMethod(name);
  }
  Object.assign(table, {
    call: callMethod,
    callBuffer: callMethod,
    send_command: callMethod,
    sendCommand: sendCommandMethod,
    multi: multiMethod,
    exec: transactionEnd('exec'),
    discard: transactionEnd('discard'),
    pipeline: pipelineMethod,
    duplicate: duplicateMethod,
    nodes: nodesMethod,
    defineCommand: defineCommandMethod,
    addBuiltinCommand: addBuiltinCommandMethod,
  } satisfies Table);
  shared = { table: Object.freeze(table), known: new Set(names) };
  sharedTables.set(key, shared);
  return shared;
}

/**
 * Returns `client` traced: every command is a span `redis:<CMD>` (`redis:GET`), a
 * `pipeline()` or `multi()` is one span `redis:PIPELINE` / `redis:MULTI` for the whole
 * batch, and `duplicate()` gives a traced client. Same type, same results and errors,
 * `instanceof` still holds; nothing is patched (the client itself stays untraced).
 *
 * @example
 * import Redis from 'ioredis';
 * import { tracedRedis } from 'traced-clients/ioredis';
 *
 * const redis = tracedRedis(new Redis(), { peerService: 'session-cache' });
 * await redis.set('user:42', 'Ada'); // span redis:SET, db.statement "SET user:42 ?"
 */
export function tracedRedis<T extends TraceableRedis>(client: T, options: TracedRedisOptions = {}): T {
  if (isTraced(client)) return client;
  const raw = client as unknown as CommanderInternals;
  if (raw === null || typeof raw !== 'object' || typeof raw.getBuiltinCommands !== 'function') {
    throw new TypeError('tracedRedis expects an ioredis client (new Redis() or new Redis.Cluster())');
  }
  const shared = sharedTableFor(raw);
  const table: Table = Object.create(shared.table);
  for (const name of Object.keys(raw.scriptsSet ?? {})) addScript(table, name);
  const state = new ClientState(client, options, shared.known);
  const proxy = tracedProxy(client, table as MethodTable<T>);
  states.set(proxy, state);
  tables.set(proxy, table);
  return proxy;
}
