export {
  AWS_COMPONENT,
  AWS_TAG,
  type AwsRequestInfo,
  type AwsResponseInfo,
  type AwsSdkClient,
  type AwsTracingOptions,
  type DynamoDBTracingOptions,
  tracedAws,
  tracedDynamoDB,
} from './clients/aws/index.js';
