export { TAG_TRANSACTION_ABORTED, TAG_TRANSACTION_DISCARDED } from './batch.js';
export { TAG_CLUSTER_SEEDS } from './peer.js';
export { TAG_BATCH_COMMANDS, TAG_BATCH_SIZE, TAG_FAILED_COMMANDS } from './state.js';
export { type TraceableRedis, tracedRedis } from './traced-redis.js';
export type {
  RedisRequestInfo,
  RedisResponseInfo,
  RedisStatementFunction,
  RedisStatementMode,
  TracedRedisOptions,
} from './types.js';
