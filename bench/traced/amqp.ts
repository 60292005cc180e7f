/** The `noop`/`traced` variant of the amqplib workload: `tracedAmqp(connection, { tracer })` (issue 7). */
import type { Tracer } from 'opentracing';
import { exported, type Wrap } from './load.js';

type TracedAmqp = <T extends object>(connectionOrChannel: T, options?: { tracer?: Tracer }) => T;

export async function tracedAmqpWith(tracer: Tracer): Promise<Wrap> {
  const tracedAmqp = await exported<TracedAmqp>('tracedAmqp');
  return (connection) => tracedAmqp(connection, { tracer });
}
