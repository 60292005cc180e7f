/**
 * The `noop`/`traced` variants of the HTTP workloads (issue 3): `tracedFetch(fetch, { tracer })`
 * and `tracedDispatcher(agent, { tracer })` handed to `undici.request`.
 */
import type { Tracer } from 'opentracing';
import { exported, type Wrap } from './load.js';

type FetchLike = (input: never, init?: never) => Promise<unknown>;
type TracedFetch = <F extends FetchLike>(fetchImpl: F, options?: { tracer?: Tracer }) => F;
type TracedDispatcher = <T extends object>(dispatcher: T, options?: { tracer?: Tracer }) => T;

export async function tracedFetchWith(tracer: Tracer): Promise<<F extends FetchLike>(fetchImpl: F) => F> {
  const tracedFetch = await exported<TracedFetch>('tracedFetch');
  return (fetchImpl) => tracedFetch(fetchImpl, { tracer });
}

export async function tracedDispatcherWith(tracer: Tracer): Promise<Wrap> {
  const tracedDispatcher = await exported<TracedDispatcher>('tracedDispatcher');
  return (dispatcher) => tracedDispatcher(dispatcher, { tracer });
}
