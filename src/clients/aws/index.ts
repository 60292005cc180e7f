import { traceAwsClient } from './client.js';
import type { AwsSdkClient, AwsTracingOptions, DynamoDBTracingOptions } from './types.js';

export { AWS_COMPONENT, AWS_TAG } from './tags.js';
export type {
  AwsRequestInfo,
  AwsResponseInfo,
  AwsSdkClient,
  AwsTracingOptions,
  DynamoDBTracingOptions,
} from './types.js';

/**
 * Traces any AWS SDK v3 client: every command is a span `<service>:<Operation>`
 * (`s3:PutObject`, `sqs:SendMessage`) of kind client, component `aws-sdk`, tagged
 * `aws.service`, `aws.operation`, `aws.region`, `aws.request_id`, `http.status_code`,
 * `aws.attempts`, `aws.retry_delay_ms`, and per service: the S3 bucket (never object keys
 * or bodies), the SQS queue / SNS topic name, the DynamoDB tags of {@link tracedDynamoDB}.
 * Commands issued through `send`, the aggregated client's methods, paginators and waiters
 * given the traced client, and `@aws-sdk/lib-storage` `Upload` are all traced, one span
 * per command. The result has the client's own type; `untraced(result)` gives it back.
 *
 * @example
 * import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
 * import { tracedAws } from 'traced-clients/aws';
 *
 * const s3 = tracedAws(new S3Client({ region: 'eu-west-1' }));
 * await s3.send(new PutObjectCommand({ Bucket: 'reports', Key: 'a.csv', Body: csv })); // span s3:PutObject
 */
export function tracedAws<T extends AwsSdkClient>(client: T, options?: AwsTracingOptions): T {
  return traceAwsClient(client, options, undefined, 'tracedAws');
}

/**
 * Traces a DynamoDB client: `DynamoDBClient`, the aggregated `DynamoDB`, or a lib-dynamodb
 * `DynamoDBDocumentClient` / `DynamoDBDocument`. Every command is one span
 * `dynamodb:<Operation>` (`dynamodb:GetItem`; a document client's `GetCommand` too) with
 * `db.type` `dynamodb`, `db.instance` = the table (tables joined with `,` for batch and
 * transact operations), index name, `Limit`, `Select`, `ConsistentRead`, returned `Count` /
 * `ScannedCount`, consumed capacity, PartiQL statements sanitized, and the AWS tags of
 * {@link tracedAws}. Item data, keys, expression attribute values and PartiQL parameters
 * are never recorded. A document client built with `DynamoDBDocumentClient.from(traced)` is
 * traced too.
 *
 * @example
 * import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
 * import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
 * import { tracedDynamoDB } from 'traced-clients/dynamodb';
 *
 * const ddb = tracedDynamoDB(new DynamoDBClient({}));
 * await ddb.send(new GetItemCommand({ TableName: 'users', Key: { id: { S: '42' } } })); // dynamodb:GetItem
 * const docs = DynamoDBDocumentClient.from(ddb); // its commands are traced as well
 */
export function tracedDynamoDB<T extends AwsSdkClient>(client: T, options?: DynamoDBTracingOptions): T {
  return traceAwsClient(client, options, 'dynamodb', 'tracedDynamoDB');
}
