import { TAG } from '../../core/index.js';
import type { ServiceTagger } from './service-tagger.js';

/** The queue name at the end of an SQS queue URL (`…/123456789012/orders` → `orders`). */
export function queueName(url: string): string {
  const end = url.replace(/\/+$/, '');
  return end.slice(end.lastIndexOf('/') + 1);
}

/** SQS: `message_bus.destination` = the queue name. Message bodies are never read. */
export const sqsTagger: ServiceTagger = {
  request: (_operation, input, tags) => {
    if (typeof input.QueueUrl === 'string') tags[TAG.MESSAGE_BUS_DESTINATION] = queueName(input.QueueUrl);
    else if (typeof input.QueueName === 'string') tags[TAG.MESSAGE_BUS_DESTINATION] = input.QueueName;
  },
};

/** SNS: `message_bus.destination` = the topic name. Messages and phone numbers are never read. */
export const snsTagger: ServiceTagger = {
  request: (_operation, input, tags) => {
    const arn = typeof input.TopicArn === 'string' ? input.TopicArn : input.TargetArn;
    if (typeof arn === 'string') tags[TAG.MESSAGE_BUS_DESTINATION] = arn.slice(arn.lastIndexOf(':') + 1);
  },
};
