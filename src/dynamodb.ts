export {
  AWS_TAG,
  type AwsRequestInfo,
  type AwsResponseInfo,
  type AwsSdkClient,
  type DynamoDBTracingOptions,
  tracedDynamoDB,
} from './clients/aws/index.js';
