/** The `noop`/`traced` variant of the amqplib workload: `tracedAmqp(connection, { tracer })` (issue 7). */
import type { Tracer } from 'opentracing';
import { exported } from './load.js';

type TracedAmqp = <T extends object>(connectionOrChannel: T, options?: { tracer?: Tracer }) => T;

export async function tracedConnection<T extends object>(connection: T, tracer: Tracer): Promise<T> {
  return (await exported<TracedAmqp>('tracedAmqp'))(connection, { tracer });
}
