/**
 * The `noop`/`traced` variants of the HTTP workloads (issue 3): `tracedFetch(fetch, { tracer })`
 * and `tracedDispatcher(agent, { tracer })` handed to `undici.request`.
 */
import type { Tracer } from 'opentracing';
import { exported } from './load.js';

type TracedFetch = <F extends (input: never, init?: never) => Promise<unknown>>(
  fetchImpl: F,
  options?: { tracer?: Tracer },
) => F;
type TracedDispatcher = <T extends object>(dispatcher: T, options?: { tracer?: Tracer }) => T;

export async function tracedFetch<F extends (input: never, init?: never) => Promise<unknown>>(
  fetchImpl: F,
  tracer: Tracer,
): Promise<F> {
  return (await exported<TracedFetch>('tracedFetch'))(fetchImpl, { tracer });
}

export async function tracedDispatcher<T extends object>(dispatcher: T, tracer: Tracer): Promise<T> {
  return (await exported<TracedDispatcher>('tracedDispatcher'))(dispatcher, { tracer });
}
