export { AMQP_DEFAULT_EXCHANGE, AMQP_TAG } from './tags.js';
export { type AmqpTraceable, tracedAmqp } from './traced-amqp.js';
export type {
  AmqpConsumeInfo,
  AmqpConsumeResult,
  AmqpGetInfo,
  AmqpGetResult,
  AmqpPublishInfo,
  AmqpPublishResult,
  AmqpRequestInfo,
  AmqpResponseInfo,
  AmqpTracingOptions,
} from './types.js';
