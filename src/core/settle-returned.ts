/**
 * For drivers whose one method answers in three styles depending on how it was called (a
 * callback, a returned promise, or a returned event emitter such as mysql2's commands):
 * runs the call and settles the span by what it returned.
 */
import type { EventEmitter } from 'node:events';
import { isThenable } from './faults.js';
import { type EmitterEvents, type SpanSettler, settleOnEvents, settleWhenResolved } from './lifecycle.js';

/** True for objects with the EventEmitter listener API. */
export function isEmitter(value: unknown): value is EventEmitter {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { once?: unknown }).once === 'function' &&
    typeof (value as { removeListener?: unknown }).removeListener === 'function'
  );
}

/**
 * Runs `original` on `target`; a synchronous throw fails the span and is rethrown unchanged.
 * A returned thenable settles the span on resolution, an emitter on `events`, anything else
 * at once. Returns the very value the call returned.
 */
/**
 * Runs `original` on `target`; a synchronous throw fails the span and is rethrown unchanged.
 * The span is otherwise left to whoever settles it (events, protocol callbacks).
 */
export function callOrFail<Result>(
  settler: SpanSettler<Result>,
  original: (...args: never[]) => unknown,
  target: unknown,
  args: readonly unknown[],
): unknown {
  try {
    return Reflect.apply(original, target, args);
  } catch (error) {
    settler.fail(error);
    throw error;
  }
}

export function settleReturned<Result>(
  settler: SpanSettler<Result>,
  original: (...args: never[]) => unknown,
  target: unknown,
  args: readonly unknown[],
  events: EmitterEvents,
): unknown {
  const result = callOrFail(settler, original, target, args);
  if (isThenable(result)) settleWhenResolved(settler, result as PromiseLike<Result>);
  else if (isEmitter(result)) settleOnEvents(settler, result, events);
  else settler.succeed(result as Result);
  return result;
}
