/**
 * `db.statement` of a Redis command: the command and its keys, every other argument `?`
 * (`SET user:42 ?`), capped. Built only for calls that are recorded.
 */
import { Buffer } from 'node:buffer';
import { capLength } from '../../core/index.js';
import { type KeySpec, keySpecOf } from './commands.js';
import type { RedisStatementFunction, RedisStatementMode } from './types.js';

/**
 * The arguments as ioredis sends them: arrays flattened one level, and the object/Map
 * forms of `MSET`/`HSET` turned into `field value…` (what its argument transformers do).
 */
export function flattenArgs(command: string, args: readonly unknown[]): unknown[] {
  // `Array.prototype.flat` costs ~1.5 µs even on a one-element array (it was the largest part
  // of a traced GET's own cost in the benchmark profile); almost no call passes an array.
  const flat = args.some(Array.isArray) ? args.flat() : args.slice();
  if ((command === 'mset' || command === 'msetnx') && flat.length === 1) return entriesOf(flat[0]) ?? flat;
  if ((command === 'hset' || command === 'hmset') && flat.length === 2) {
    const entries = entriesOf(flat[1]);
    if (entries !== undefined) return [flat[0], ...entries];
  }
  return flat;
}

function entriesOf(value: unknown): unknown[] | undefined {
  if (value instanceof Map) return [...value].flat();
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return undefined;
  return Object.entries(value).flat();
}

/** One argument as text: strings as they are, Buffers decoded as UTF-8. */
export function argText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return String(value);
}

const HIDE = 0;
const KEY = 1;
const KEEP = 2;
type Role = typeof HIDE | typeof KEY | typeof KEEP;

type RoleOf = (index: number) => Role;

// The specs whose roles depend on the position alone share one function each: no closure is
// made per call for the commands almost every call is (`GET k`, `SET k ?`, `DEL a b`).
const FIRST: RoleOf = (i) => (i === 0 ? KEY : HIDE);
const ALL: RoleOf = () => KEY;
const PAIRS: RoleOf = (i) => (i % 2 === 0 ? KEY : HIDE);
const FIRST_TWO: RoleOf = (i) => (i < 2 ? KEY : HIDE);
const SUB: RoleOf = (i) => (i === 0 ? KEEP : HIDE);
const SUB_KEY: RoleOf = (i) => (i === 0 ? KEEP : i === 1 ? KEY : HIDE);
const NONE: RoleOf = () => HIDE;

/** Positions of the keys (and kept structure such as `numkeys`) of one call. */
function rolesOf(spec: KeySpec, args: readonly unknown[]): RoleOf {
  switch (spec) {
    case 'first':
      return FIRST;
    case 'all':
      return ALL;
    case 'allButLast':
      return (i) => (i < args.length - 1 ? KEY : HIDE);
    case 'pairs':
      return PAIRS;
    case 'firstTwo':
      return FIRST_TWO;
    case 'sub':
      return SUB;
    case 'subKey':
      return SUB_KEY;
    case 'numkeysFirst':
      return numkeysAt(args, 0, HIDE);
    case 'destNumkeys':
      return numkeysAt(args, 1, KEY);
    case 'hiddenNumkeys':
      return numkeysAt(args, 1, HIDE);
    case 'namedNumkeys':
      return numkeysAt(args, 1, KEEP);
    case 'streams':
      return streamKeys(args);
    default:
      return NONE;
  }
}

/** `… numkeys key key … values`: numkeys at `at` is kept, what precedes it has role `before`. */
function numkeysAt(args: readonly unknown[], at: number, before: Role): RoleOf {
  const count = Number(argText(args[at]));
  const last = Number.isInteger(count) && count > 0 ? at + count : at;
  return (i) => (i < at ? before : i === at ? KEEP : i <= last ? KEY : HIDE);
}

function streamKeys(args: readonly unknown[]): RoleOf {
  const at = args.findIndex((a) => typeof a === 'string' && a.toUpperCase() === 'STREAMS');
  if (at === -1) return NONE;
  const last = at + Math.floor((args.length - at - 1) / 2);
  return (i) => (i === at ? KEEP : i > at && i <= last ? KEY : HIDE);
}

/** What a statement is built from. */
export interface StatementInput {
  /** Uppercase command name, as in the operation name. */
  readonly command: string;
  /** Lowercase command name, as ioredis knows it. */
  readonly lower: string;
  /** Flattened arguments (see {@link flattenArgs}). */
  readonly args: readonly unknown[];
  /** Whether ioredis knows the command as a built-in (unknown ones record no argument). */
  readonly known: boolean;
  /** Keys of a `defineCommand` script, when the call is one: its first `numberOfKeys` arguments. */
  readonly scriptKeys?: number | null | undefined;
}

/** Role of each argument of one call: key, kept structure, or hidden value. */
function rolesFor(input: StatementInput, spec: KeySpec): RoleOf {
  const keys = input.scriptKeys;
  if (keys === undefined) return rolesOf(spec, input.args);
  // A defineCommand script: a fixed number of leading keys, or a leading `numkeys` when null.
  if (keys === null) return rolesOf('numkeysFirst', input.args);
  return (i) => (i < keys ? KEY : HIDE);
}

/** The spec of a call, from its command (scripts are told apart by `scriptKeys`). */
function specOf(input: StatementInput): KeySpec {
  return input.scriptKeys === undefined ? keySpecOf(input.lower, input.known) : 'first';
}

/** The first key of a call, if it has one (for Cluster routing). */
export function firstKey(input: StatementInput): unknown {
  const spec = specOf(input);
  if (spec === 'secret' || spec === 'secretSub') return undefined;
  const role = rolesFor(input, spec);
  for (let i = 0; i < input.args.length; i++) if (role(i) === KEY) return input.args[i];
  return undefined;
}

/**
 * The statement for one call, or `undefined` from a custom function that returned nothing.
 * Credentials commands (`AUTH`, `HELLO`, `MIGRATE`, `ACL`, `CONFIG`, `SENTINEL`) never
 * record an argument, whatever `mode` says: not even a custom function sees them.
 */
export function buildStatement(
  input: StatementInput,
  mode: RedisStatementMode | RedisStatementFunction,
  max: number,
): string | undefined {
  const { command, args } = input;
  const spec = specOf(input);
  if (spec === 'secret') return command;
  if (spec === 'secretSub') return args.length === 0 ? command : `${command} ${argText(args[0]).toUpperCase()}`;
  if (typeof mode === 'function') {
    const text = mode(command, args);
    return typeof text === 'string' ? capLength(text, max) : undefined;
  }
  if (mode === 'command' || args.length === 0) return command;
  const role = mode === 'full' ? ALL : rolesFor(input, spec);
  let text = command;
  // Stops once past the cap: a 10,000-key MGET costs no more than a short one.
  for (let i = 0; i < args.length && text.length <= max; i++) {
    text += role(i) === HIDE ? ' ?' : ` ${argText(args[i])}`;
  }
  return capLength(text, max);
}
