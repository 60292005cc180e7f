import { DynamoDB, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocument, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expectTypeOf, it } from 'vitest';
import { type AwsRequestInfo, tracedAws, tracedDynamoDB } from '../../src/aws.js';
import { tracedDynamoDB as fromDynamoEntry } from '../../src/dynamodb.js';
import { tracedAws as fromRoot } from '../../src/index.js';

describe('traced AWS clients keep their type', () => {
  it('tracedDynamoDB returns the type it was given', () => {
    const client = new DynamoDBClient({});
    expectTypeOf(tracedDynamoDB(client)).toEqualTypeOf<DynamoDBClient>();
    expectTypeOf(tracedDynamoDB(new DynamoDB({}))).toEqualTypeOf<DynamoDB>();
    expectTypeOf(tracedDynamoDB(DynamoDBDocumentClient.from(client))).toEqualTypeOf<DynamoDBDocumentClient>();
    expectTypeOf(tracedDynamoDB(DynamoDBDocument.from(client))).toEqualTypeOf<DynamoDBDocument>();
    expectTypeOf(fromDynamoEntry(client)).toEqualTypeOf<DynamoDBClient>();
  });

  it('tracedAws returns the type it was given', () => {
    expectTypeOf(tracedAws(new S3Client({}))).toEqualTypeOf<S3Client>();
    expectTypeOf(fromRoot(new S3({}))).toEqualTypeOf<S3>();
  });

  it('rejects what is not an SDK client; hooks are typed', () => {
    // @ts-expect-error not an AWS SDK client
    tracedAws({});
    // @ts-expect-error not an AWS SDK client
    tracedDynamoDB({ send: () => 1 });
    tracedAws(new S3Client({}), {
      operationName: (info) => {
        expectTypeOf(info).toEqualTypeOf<AwsRequestInfo>();
        return `${info.service}.${info.operation}`;
      },
      responseHook: (_span, info) => expectTypeOf(info.output).toBeUnknown(),
      service: 'storage',
      recordStatements: false,
    });
  });
});
