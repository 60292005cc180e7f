import { describe, expect, it } from 'vitest';
import { consumedCapacity, dynamoDBTagger, dynamoTableNames } from '../../src/clients/aws/dynamodb.js';
import { queueName, snsTagger, sqsTagger } from '../../src/clients/aws/messaging.js';
import { operationOf, serviceOf } from '../../src/clients/aws/names.js';
import { partiqlStatement, partiqlTable } from '../../src/clients/aws/partiql.js';
import { s3Tagger } from '../../src/clients/aws/s3.js';
import type { ServiceTagger } from '../../src/clients/aws/service-tagger.js';
import type { MutableTags } from '../../src/clients/aws/tags.js';
import { awsErrorKind } from '../../src/clients/aws/tracing.js';

const SECRET = 'UNIT-SECRET-5d2a';
const settings = { maxStatementLength: 2048, recordStatements: true };

function requestTags(tagger: ServiceTagger, operation: string, input: Record<string, unknown>): MutableTags {
  const tags: MutableTags = {};
  tagger.request?.(operation, input, tags, settings);
  return tags;
}

describe('operationOf', () => {
  it('reads the operation schema, then a document command’s client command, then the class name', () => {
    class GetItemCommand {
      schema = [9, 'com.amazonaws.dynamodb', 'GetItem', 0, 0, 0];
    }
    class GetCommand {
      clientCommand = new GetItemCommand();
    }
    class ListQueuesCommand {}
    class Minified {
      schema = { name: 'SendMessage' };
    }
    expect(operationOf(new GetItemCommand())).toBe('GetItem');
    expect(operationOf(new GetCommand())).toBe('GetItem');
    expect(operationOf(new ListQueuesCommand())).toBe('ListQueues');
    expect(operationOf(new Minified())).toBe('SendMessage');
    expect(operationOf(Object.create(null))).toBe('Unknown');
  });
});

describe('serviceOf', () => {
  it('is the serviceId in lower case without spaces, else the class name', () => {
    expect(serviceOf({ serviceId: 'DynamoDB' }, {})).toBe('dynamodb');
    expect(serviceOf({ serviceId: 'Secrets Manager' }, {})).toBe('secretsmanager');
    class SQSClient {}
    expect(serviceOf({}, new SQSClient())).toBe('sqs');
    expect(serviceOf(undefined, Object.create(null))).toBe('aws');
  });
});

describe('DynamoDB tags', () => {
  it('names the tables of single, batch, transact and PartiQL requests, each once', () => {
    expect(dynamoTableNames({ TableName: 'users' }, [])).toEqual(['users']);
    expect(dynamoTableNames({ RequestItems: { a: [], b: [] } }, [])).toEqual(['a', 'b']);
    expect(
      dynamoTableNames(
        {
          TransactItems: [
            { Put: { TableName: 'a' } },
            { Update: { TableName: 'b' } },
            { ConditionCheck: { TableName: 'a' } },
            { Get: { TableName: 'c' } },
            null,
          ],
        },
        [],
      ),
    ).toEqual(['a', 'b', 'c']);
    expect(dynamoTableNames({}, ['SELECT * FROM "x" WHERE a = ?', 'INSERT INTO y VALUE {}'])).toEqual(['x', 'y']);
  });

  it('reads index, Limit, Select, ConsistentRead, and nothing from items, keys, values or parameters', () => {
    const tags = requestTags(dynamoDBTagger, 'Query', {
      TableName: 't',
      IndexName: 'byKind',
      Limit: 5,
      Select: 'COUNT',
      ConsistentRead: false,
      Key: { pk: { S: SECRET } },
      Item: { v: { S: SECRET } },
      ExpressionAttributeValues: { ':v': { S: SECRET } },
      ExpressionAttributeNames: { '#n': SECRET },
      KeyConditionExpression: `pk = :v`,
      ExclusiveStartKey: { pk: { S: SECRET } },
      Parameters: [{ S: SECRET }],
    });
    expect(tags).toEqual({
      'db.instance': 't',
      'aws.dynamodb.index_name': 'byKind',
      'aws.dynamodb.limit': 5,
      'aws.dynamodb.select': 'COUNT',
      'aws.dynamodb.consistent_read': false,
    });
  });

  it('response: counts and the summed consumed capacity, not the items', () => {
    const tags: MutableTags = {};
    dynamoDBTagger.response?.(
      {
        Items: [{ v: { S: SECRET } }],
        LastEvaluatedKey: { pk: { S: SECRET } },
        Count: 1,
        ScannedCount: 4,
        ConsumedCapacity: { TableName: 't', CapacityUnits: 0.5 },
      },
      tags,
    );
    expect(tags).toEqual({
      'aws.dynamodb.consumed_capacity': 0.5,
      'aws.dynamodb.count': 1,
      'aws.dynamodb.scanned_count': 4,
    });
    expect(consumedCapacity([{ CapacityUnits: 1 }, { CapacityUnits: 2.5 }, {}])).toBe(3.5);
    expect(consumedCapacity(undefined)).toBeUndefined();
    expect(consumedCapacity([{}])).toBeUndefined();
  });

  it('caps a long table list', () => {
    const RequestItems = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`table_${i}`, []]));
    const tags: MutableTags = {};
    dynamoDBTagger.request?.('BatchGetItem', { RequestItems }, tags, {
      maxStatementLength: 64,
      recordStatements: true,
    });
    expect(String(tags['db.instance']).length).toBe(64);
    expect(String(tags['db.instance'])).toMatch(/…\[truncated\]$/);
  });
});

describe('partiqlTable', () => {
  it('finds the table after FROM, INTO or UPDATE, quoted or not', () => {
    expect(partiqlTable('SELECT * FROM "Orders" WHERE id = ?')).toBe('Orders');
    expect(partiqlTable('select a from orders.byDate where x = 1')).toBe('orders.byDate');
    expect(partiqlTable(`INSERT INTO "we""ird" VALUE {'a': 1}`)).toBe('we"ird');
    expect(partiqlTable('UPDATE "t" SET a = 1 WHERE pk = ?')).toBe('t');
    expect(partiqlTable('DELETE FROM t WHERE pk = ?')).toBe('t');
    expect(partiqlTable('EXISTS(?)')).toBeUndefined();
  });
});

describe('PartiQL statements', () => {
  it('are sanitized like SQL: string and number literals, tuples, lists and bags become ?', () => {
    expect(partiqlStatement(`SELECT * FROM "t" WHERE pk = ? AND sk = '${SECRET}'`, 2048)).toBe(
      'SELECT * FROM "t" WHERE pk = ? AND sk = ?',
    );
    expect(partiqlStatement(`INSERT INTO "t" VALUE {'pk': ?, 'sk': '${SECRET}', 'n': 12.5}`, 2048)).toBe(
      'INSERT INTO "t" VALUE {?: ?, ?: ?, ?: ?}',
    );
    expect(partiqlStatement(`UPDATE "t" SET a = 5 SET b = 'x''y' WHERE pk = ? AND c IN [1, 'z']`, 2048)).toBe(
      'UPDATE "t" SET a = ? SET b = ? WHERE pk = ? AND c IN [?, ?]',
    );
    expect(partiqlStatement(`DELETE FROM "t" WHERE pk = '${SECRET}' -- '${SECRET}'`, 2048)).toBe(
      'DELETE FROM "t" WHERE pk = ?',
    );
    expect(partiqlStatement(`SELECT * FROM "t" WHERE pk = '${SECRET}`, 2048)).not.toContain(SECRET);
  });

  it('go to db.statement (joined, capped) unless recordStatements is off; parameters never', () => {
    const input = {
      Statements: [
        { Statement: `SELECT * FROM "a" WHERE pk = '${SECRET}'`, Parameters: [{ S: SECRET }] },
        { Statement: 'SELECT * FROM "b" WHERE pk = ?', Parameters: [{ S: SECRET }] },
      ],
    };
    expect(requestTags(dynamoDBTagger, 'BatchExecuteStatement', input)).toEqual({
      'db.instance': 'a,b',
      'db.statement': 'SELECT * FROM "a" WHERE pk = ?; SELECT * FROM "b" WHERE pk = ?',
    });
    const off: MutableTags = {};
    dynamoDBTagger.request?.('BatchExecuteStatement', input, off, {
      maxStatementLength: 2048,
      recordStatements: false,
    });
    expect(off).toEqual({ 'db.instance': 'a,b' });
    const capped: MutableTags = {};
    dynamoDBTagger.request?.('ExecuteStatement', { Statement: `SELECT ${'x, '.repeat(100)} y FROM "t"` }, capped, {
      maxStatementLength: 32,
      recordStatements: true,
    });
    expect(String(capped['db.statement'])).toHaveLength(32);
  });
});

describe('S3, SQS and SNS tags', () => {
  it('S3: the bucket, never the key', () => {
    expect(requestTags(s3Tagger, 'PutObject', { Bucket: 'b', Key: SECRET, Body: SECRET })).toEqual({
      'aws.s3.bucket': 'b',
    });
  });

  it('SQS: the queue name from the URL or the name; SNS: the topic name; never message bodies', () => {
    expect(queueName('https://sqs.eu-west-1.amazonaws.com/123456789012/orders/')).toBe('orders');
    expect(
      requestTags(sqsTagger, 'SendMessage', {
        QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders',
        MessageBody: SECRET,
      }),
    ).toEqual({ 'message_bus.destination': 'orders' });
    expect(requestTags(sqsTagger, 'CreateQueue', { QueueName: 'jobs' })).toEqual({ 'message_bus.destination': 'jobs' });
    expect(
      requestTags(snsTagger, 'Publish', { TopicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts', Message: SECRET }),
    ).toEqual({ 'message_bus.destination': 'alerts' });
    expect(requestTags(snsTagger, 'Publish', { PhoneNumber: SECRET, Message: SECRET })).toEqual({});
  });
});

describe('awsErrorKind', () => {
  it('is the error name, or the code of a plain Error', () => {
    class ConditionalCheckFailedException extends Error {
      override name = 'ConditionalCheckFailedException';
    }
    expect(awsErrorKind(new ConditionalCheckFailedException('x'))).toBe('ConditionalCheckFailedException');
    expect(awsErrorKind(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(
      'ECONNREFUSED',
    );
    expect(awsErrorKind(new Error('plain'))).toBe('Error');
    expect(awsErrorKind('text')).toBe('string');
  });
});
