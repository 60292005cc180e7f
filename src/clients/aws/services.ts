import { dynamoDBTagger } from './dynamodb.js';
import { snsTagger, sqsTagger } from './messaging.js';
import { s3Tagger } from './s3.js';
import type { ServiceTagger } from './service-tagger.js';

const NONE: ServiceTagger = {};

/** Service name (as in span names) → its tagger. Services not listed get the common AWS tags. */
const TAGGERS: Readonly<Record<string, ServiceTagger>> = {
  dynamodb: dynamoDBTagger,
  s3: s3Tagger,
  sqs: sqsTagger,
  sns: snsTagger,
};

export function taggerFor(service: string): ServiceTagger {
  return Object.hasOwn(TAGGERS, service) ? (TAGGERS[service] as ServiceTagger) : NONE;
}
