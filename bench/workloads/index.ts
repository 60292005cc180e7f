/** Every workload, in report order. */
import { amqp } from './amqp.js';
import { dynamodb } from './dynamodb.js';
import { fetchWorkload, undiciWorkload } from './http.js';
import { mysql } from './mysql.js';
import { pg } from './pg.js';
import { redis } from './redis.js';
import type { Workload } from './types.js';

export const WORKLOADS: readonly Workload[] = [pg, mysql, redis, fetchWorkload, undiciWorkload, dynamodb, amqp];

export function workload(name: string): Workload {
  const found = WORKLOADS.find((w) => w.name === name);
  if (found === undefined)
    throw new Error(`unknown workload ${name}; known: ${WORKLOADS.map((w) => w.name).join(', ')}`);
  return found;
}
