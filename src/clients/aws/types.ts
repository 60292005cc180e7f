import type { ClientTracingOptions } from '../../core/index.js';

/**
 * Any AWS SDK v3 client (`S3Client`, `SQSClient`, `DynamoDBClient`, the aggregated `S3`,
 * `DynamoDB`, a lib-dynamodb `DynamoDBDocumentClient`…), described by the members the
 * tracing uses, so that no SDK package is needed to import this library.
 */
export interface AwsSdkClient {
  readonly config: object;
  middlewareStack: object;
  // Method syntax on purpose: SDK clients' overloaded generic `send` is assignable to it.
  send(command: never, ...rest: never[]): unknown;
  destroy(): void;
}

/** What `operationName` and the request hook receive for one command. */
export interface AwsRequestInfo {
  /** The service name used in span names, lower case: `dynamodb`, `s3`, `sqs`. */
  readonly service: string;
  /** The API operation: `GetItem`, `PutObject`, `SendMessage`. */
  readonly operation: string;
  /**
   * The command's input as the caller gave it. It can hold item data, keys and message
   * bodies: a hook that records from it is responsible for what it records.
   */
  readonly input: unknown;
}

/** What the response hook receives when a command succeeds. */
export interface AwsResponseInfo {
  readonly service: string;
  readonly operation: string;
  /** The command's output, the very object the caller gets (it can hold item data). */
  readonly output: unknown;
}

/** Options of {@link tracedAws} and {@link tracedDynamoDB}. */
export interface AwsTracingOptions extends ClientTracingOptions<AwsRequestInfo, AwsResponseInfo> {
  /**
   * The service name in span names and the `aws.service` tag.
   * @default the client's `config.serviceId` in lower case without spaces (`s3`, `dynamodb`)
   */
  readonly service?: string;
  /**
   * Record DynamoDB PartiQL statements (`ExecuteStatement`, `BatchExecuteStatement`,
   * `ExecuteTransaction`) in `db.statement`, sanitized (literals → `?`) and capped.
   * Parameters are never recorded.
   * @default true
   */
  readonly recordStatements?: boolean;
}

/** Options of {@link tracedDynamoDB}: the same as every AWS client's. */
export type DynamoDBTracingOptions = AwsTracingOptions;
