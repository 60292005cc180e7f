import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** A DynamoDB client config for dynalite on 127.0.0.1: no retries, so a fault shows at once. */
export function dynamoConfig(endpoint: string, extra: Partial<DynamoDBClientConfig> = {}): DynamoDBClientConfig {
  return { endpoint, region: 'us-east-1', credentials, maxAttempts: 1, ...extra };
}
