/** Tag names of AWS spans, beside the OpenTracing ones in `TAG`. */
export const AWS_TAG = {
  SERVICE: 'aws.service',
  OPERATION: 'aws.operation',
  REGION: 'aws.region',
  REQUEST_ID: 'aws.request_id',
  ATTEMPTS: 'aws.attempts',
  /** `$metadata.totalRetryDelay`: milliseconds spent waiting between attempts. */
  RETRY_DELAY: 'aws.retry_delay_ms',
  S3_BUCKET: 'aws.s3.bucket',
  DYNAMODB_INDEX: 'aws.dynamodb.index_name',
  DYNAMODB_LIMIT: 'aws.dynamodb.limit',
  DYNAMODB_SELECT: 'aws.dynamodb.select',
  DYNAMODB_CONSISTENT_READ: 'aws.dynamodb.consistent_read',
  DYNAMODB_COUNT: 'aws.dynamodb.count',
  DYNAMODB_SCANNED_COUNT: 'aws.dynamodb.scanned_count',
  /** Sum of `ConsumedCapacity[].CapacityUnits` when the response carries it. */
  DYNAMODB_CONSUMED_CAPACITY: 'aws.dynamodb.consumed_capacity',
} as const;

/** The `component` tag of every AWS span. */
export const AWS_COMPONENT = 'aws-sdk';

/** A mutable tag record a tagger fills in for one call. */
export type MutableTags = Record<string, string | number | boolean>;
