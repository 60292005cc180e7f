/**
 * tracedDynamoDB against a real DynamoDB API: dynalite in-process on 127.0.0.1, or the
 * endpoint in DYNAMODB_ENDPOINT (DynamoDB Local, AWS). Every client style: the base client's
 * `send`, the aggregated `DynamoDB`, and lib-dynamodb document clients traced, built from a
 * traced client, or both, each issuing the same command sequence: one span per command.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BatchExecuteStatementCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteItemCommand,
  DeleteTableCommand,
  DynamoDB,
  DynamoDBClient,
  type DynamoDBClientConfig,
  ExecuteStatementCommand,
  ExecuteTransactionCommand,
  GetItemCommand,
  type GetItemCommandOutput,
  PutItemCommand,
  paginateQuery,
  paginateScan,
  QueryCommand,
  ResourceNotFoundException,
  ScanCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  QueryCommand as DocQueryCommand,
  ScanCommand as DocScanCommand,
  DynamoDBDocument,
  DynamoDBDocumentClient,
  paginateScan as docPaginateScan,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type Span, Tracer } from 'opentracing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getCurrentSpan, spanInContext } from '../../src/context/index.js';
import { configure, isTraced, resetConfig, untraced } from '../../src/core/index.js';
import { tracedDynamoDB } from '../../src/dynamodb.js';
import { rawLogTracer } from '../helpers/raw-logs.js';
import { startDynamo, uniqueName } from '../helpers/services.js';
import { createTestTracing, errorLog, expectChildOf, idsOf, type RecordedSpan } from '../helpers/tracing.js';

const tracing = createTestTracing();
/** Written into item values, keys, expression values and PartiQL parameters/literals; must never be recorded. */
const SECRET = 'S3CR3T-MARKER-9c1e';
const REGION = 'us-east-1';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

let dynamo: { endpoint: string; close(): Promise<void> };
let admin: DynamoDBClient;
const tables: string[] = [];

function config(extra: Partial<DynamoDBClientConfig> = {}): DynamoDBClientConfig {
  return { endpoint: dynamo.endpoint, region: REGION, credentials, ...extra };
}

function tableName(prefix: string): string {
  const name = uniqueName(`tc_${prefix}`);
  tables.push(name);
  return name;
}

function tableDefinition(TableName: string): CreateTableCommandInput {
  return {
    TableName,
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'kind', AttributeType: 'S' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: 'byKind',
        KeySchema: [{ AttributeName: 'kind', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  };
}

async function createTable(prefix: string, items = 0): Promise<string> {
  const name = tableName(prefix);
  await admin.send(new CreateTableCommand(tableDefinition(name)));
  await waitUntilTableExists({ client: admin, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { TableName: name });
  for (let i = 0; i < items; i++) {
    await admin.send(
      new PutItemCommand({
        TableName: name,
        Item: { pk: { S: 'p' }, sk: { S: `s${i}` }, kind: { S: 'k' }, secret: { S: SECRET } },
      }),
    );
  }
  return name;
}

function parentSpan(name = 'parent'): Span {
  return tracing.tracer.startSpan(name);
}

function recorded(span: Span): { traceId: string; spanId: string } {
  return idsOf(span);
}

function clientSpans(): RecordedSpan[] {
  return tracing.spans().filter((s) => s.name.startsWith('dynamodb:'));
}

/** Every tag and every log field of every span, as text: must not contain the marker. */
function expectNoSecret(): void {
  const text = JSON.stringify(tracing.spans().map((s) => ({ name: s.name, tags: s.tags, logs: s.logs })));
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain('9c1e');
}

beforeAll(async () => {
  dynamo = await startDynamo();
  admin = new DynamoDBClient(config());
});

afterAll(async () => {
  for (const TableName of tables) {
    await admin.send(new DeleteTableCommand({ TableName })).catch(() => {});
  }
  admin.destroy();
  await dynamo.close();
  await tracing.shutdown();
});

const raw = rawLogTracer(tracing.tracer);

beforeEach(() => {
  tracing.reset();
  raw.logs.length = 0;
  configure({ tracer: raw.tracer });
});

afterEach(() => {
  expectNoSecret();
  expect(raw.serialized()).not.toContain(SECRET);
  resetConfig();
});

// --- the command sequence, in the low-level (attribute value) and document (native) forms ---

interface Sequence {
  createTable(table: string): Promise<unknown>;
  put(table: string): Promise<unknown>;
  get(table: string): Promise<{ Item?: Record<string, unknown> }>;
  query(table: string): Promise<{ Count?: number }>;
  scan(table: string): Promise<{ Count?: number }>;
  update(table: string): Promise<unknown>;
  delete(table: string): Promise<unknown>;
  batchWrite(table: string): Promise<unknown>;
  transactWrite(table: string): Promise<unknown>;
}

const lowKey = { pk: { S: 'p' }, sk: { S: `key-${SECRET}` } };
const lowInputs = {
  put: (TableName: string) => ({
    TableName,
    Item: { ...lowKey, kind: { S: 'k' }, secret: { S: SECRET } },
  }),
  get: (TableName: string) => ({ TableName, Key: lowKey, ConsistentRead: true }),
  query: (TableName: string) => ({
    TableName,
    IndexName: 'byKind',
    KeyConditionExpression: 'kind = :k',
    FilterExpression: 'secret = :s',
    ExpressionAttributeValues: { ':k': { S: 'k' }, ':s': { S: SECRET } },
    Limit: 10,
    Select: 'ALL_ATTRIBUTES' as const,
  }),
  scan: (TableName: string) => ({
    TableName,
    Limit: 50,
    ConsistentRead: true,
    ReturnConsumedCapacity: 'TOTAL' as const,
  }),
  update: (TableName: string) => ({
    TableName,
    Key: lowKey,
    UpdateExpression: 'SET secret = :v',
    ExpressionAttributeValues: { ':v': { S: `${SECRET}-updated` } },
  }),
  delete: (TableName: string) => ({ TableName, Key: lowKey }),
  batchWrite: (TableName: string) => ({
    RequestItems: {
      [TableName]: [1, 2, 3].map((i) => ({
        PutRequest: { Item: { pk: { S: 'b' }, sk: { S: `${SECRET}-${i}` }, kind: { S: 'k' }, v: { S: SECRET } } },
      })),
    },
  }),
  transactWrite: (TableName: string) => ({
    TransactItems: [
      { Put: { TableName, Item: { pk: { S: 't' }, sk: { S: SECRET }, kind: { S: 'k' } } } },
      {
        Update: {
          TableName,
          Key: { pk: { S: 't' }, sk: { S: 'two' } },
          UpdateExpression: 'SET v = :v',
          ExpressionAttributeValues: { ':v': { S: SECRET } },
        },
      },
    ],
  }),
};

const docKey = { pk: 'p', sk: `key-${SECRET}` };
const docInputs = {
  put: (TableName: string) => ({ TableName, Item: { ...docKey, kind: 'k', secret: SECRET } }),
  get: (TableName: string) => ({ TableName, Key: docKey, ConsistentRead: true }),
  query: (TableName: string) => ({
    TableName,
    IndexName: 'byKind',
    KeyConditionExpression: 'kind = :k',
    FilterExpression: 'secret = :s',
    ExpressionAttributeValues: { ':k': 'k', ':s': SECRET },
    Limit: 10,
    Select: 'ALL_ATTRIBUTES' as const,
  }),
  scan: lowInputs.scan,
  update: (TableName: string) => ({
    TableName,
    Key: docKey,
    UpdateExpression: 'SET secret = :v',
    ExpressionAttributeValues: { ':v': `${SECRET}-updated` },
  }),
  delete: (TableName: string) => ({ TableName, Key: docKey }),
  batchWrite: (TableName: string) => ({
    RequestItems: {
      [TableName]: [1, 2, 3].map((i) => ({
        PutRequest: { Item: { pk: 'b', sk: `${SECRET}-${i}`, kind: 'k', v: SECRET } },
      })),
    },
  }),
  transactWrite: (TableName: string) => ({
    TransactItems: [
      { Put: { TableName, Item: { pk: 't', sk: SECRET, kind: 'k' } } },
      {
        Update: {
          TableName,
          Key: { pk: 't', sk: 'two' },
          UpdateExpression: 'SET v = :v',
          ExpressionAttributeValues: { ':v': SECRET },
        },
      },
    ],
  }),
};

// biome-ignore lint/suspicious/noExplicitAny: commands of every shape go through one send here.
type AnySend = (command: any) => Promise<any>;

function viaSend(send: AnySend): Sequence {
  return {
    createTable: (t) => send(new CreateTableCommand(tableDefinition(t))),
    put: (t) => send(new PutItemCommand(lowInputs.put(t))),
    get: (t) => send(new GetItemCommand(lowInputs.get(t))),
    query: (t) => send(new QueryCommand(lowInputs.query(t))),
    scan: (t) => send(new ScanCommand(lowInputs.scan(t))),
    update: (t) => send(new UpdateItemCommand(lowInputs.update(t))),
    delete: (t) => send(new DeleteItemCommand(lowInputs.delete(t))),
    batchWrite: (t) => send(new BatchWriteItemCommand(lowInputs.batchWrite(t))),
    transactWrite: (t) => send(new TransactWriteItemsCommand(lowInputs.transactWrite(t))),
  };
}

function viaAggregated(ddb: DynamoDB): Sequence {
  return {
    createTable: (t) => ddb.createTable(tableDefinition(t)),
    put: (t) => ddb.putItem(lowInputs.put(t)),
    get: (t) => ddb.getItem(lowInputs.get(t)),
    query: (t) => ddb.query(lowInputs.query(t)),
    scan: (t) => ddb.scan(lowInputs.scan(t)),
    update: (t) => ddb.updateItem(lowInputs.update(t)),
    delete: (t) => ddb.deleteItem(lowInputs.delete(t)),
    batchWrite: (t) => ddb.batchWriteItem(lowInputs.batchWrite(t)),
    transactWrite: (t) => ddb.transactWriteItems(lowInputs.transactWrite(t)),
  };
}

function viaDocumentSend(doc: DynamoDBDocumentClient): Sequence {
  const send = doc.send.bind(doc) as AnySend;
  return {
    createTable: (t) => send(new CreateTableCommand(tableDefinition(t))),
    put: (t) => send(new PutCommand(docInputs.put(t))),
    get: (t) => send(new GetCommand(docInputs.get(t))),
    query: (t) => send(new DocQueryCommand(docInputs.query(t))),
    scan: (t) => send(new DocScanCommand(docInputs.scan(t))),
    update: (t) => send(new UpdateCommand(docInputs.update(t))),
    delete: (t) => send(new DeleteCommand(docInputs.delete(t))),
    batchWrite: (t) => send(new BatchWriteCommand(docInputs.batchWrite(t))),
    transactWrite: (t) => send(new TransactWriteCommand(docInputs.transactWrite(t))),
  };
}

function viaDocumentMethods(doc: DynamoDBDocument): Sequence {
  return {
    createTable: (t) => doc.send(new CreateTableCommand(tableDefinition(t))),
    put: (t) => doc.put(docInputs.put(t)),
    get: (t) => doc.get(docInputs.get(t)),
    query: (t) => doc.query(docInputs.query(t)),
    scan: (t) => doc.scan(docInputs.scan(t)),
    update: (t) => doc.update(docInputs.update(t)),
    delete: (t) => doc.delete(docInputs.delete(t)),
    batchWrite: (t) => doc.batchWrite(docInputs.batchWrite(t)),
    transactWrite: (t) => doc.transactWrite(docInputs.transactWrite(t)),
  };
}

const base = () => new DynamoDBClient(config());
const tracedBase = () => tracedDynamoDB(new DynamoDBClient(config()));

const styles: { name: string; make: () => Sequence }[] = [
  { name: 'DynamoDBClient send', make: () => viaSend(tracedBase().send.bind(tracedBase()) as AnySend) },
  { name: 'aggregated DynamoDB', make: () => viaAggregated(tracedDynamoDB(new DynamoDB(config()))) },
  {
    name: 'traced DynamoDBDocumentClient over an untraced base',
    make: () => viaDocumentSend(tracedDynamoDB(DynamoDBDocumentClient.from(base()))),
  },
  {
    name: 'DynamoDBDocumentClient.from(traced base)',
    make: () => viaDocumentSend(DynamoDBDocumentClient.from(tracedBase())),
  },
  {
    name: 'traced DynamoDBDocumentClient over a traced base',
    make: () => viaDocumentSend(tracedDynamoDB(DynamoDBDocumentClient.from(tracedBase()))),
  },
  {
    name: 'DynamoDBDocument.from(traced aggregated DynamoDB)',
    make: () => viaDocumentMethods(DynamoDBDocument.from(tracedDynamoDB(new DynamoDB(config())))),
  },
  {
    name: 'traced DynamoDBDocument over an untraced base',
    make: () => viaDocumentMethods(tracedDynamoDB(DynamoDBDocument.from(base()))),
  },
  {
    name: 'traced DynamoDBDocument over a traced base',
    make: () => viaDocumentMethods(tracedDynamoDB(DynamoDBDocument.from(tracedBase()))),
  },
];

const SEQUENCE_SPANS = [
  'dynamodb:CreateTable',
  'dynamodb:PutItem',
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:TransactWriteItems',
];

describe.each(styles)('$name', ({ make }) => {
  it('one span per command, children of the caller, tagged; the results are the real ones', async () => {
    const ops = make();
    const table = tableName('seq');
    const parent = parentSpan();
    const results = await spanInContext(parent, async () => {
      await ops.createTable(table);
      await waitUntilTableExists({ client: admin, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { TableName: table });
      await ops.put(table);
      const got = await ops.get(table);
      const query = await ops.query(table);
      const scan = await ops.scan(table);
      await ops.update(table);
      await ops.delete(table);
      await ops.batchWrite(table);
      // dynalite predates transactions (UnknownOperationException); DynamoDB Local and AWS run them.
      const transact = await ops.transactWrite(table).then(
        () => 'ok',
        (e: Error) => e.name,
      );
      return { got, query, scan, transact };
    });
    parent.finish();

    // The real results came back (item found with its value, counts as the table holds).
    const secret = results.got.Item?.secret;
    expect(secret === SECRET || (secret as { S?: string } | undefined)?.S === SECRET).toBe(true);
    expect(results.query.Count).toBe(1);
    expect(results.scan.Count).toBe(1);

    const spans = clientSpans().filter((s) => s.name !== 'dynamodb:DescribeTable');
    expect(spans.map((s) => s.name)).toEqual(SEQUENCE_SPANS);
    expect(['ok', 'UnknownOperationException']).toContain(results.transact);
    for (const span of spans) {
      const failed = span.name === 'dynamodb:TransactWriteItems' && results.transact !== 'ok';
      expectChildOf(span, recorded(parent));
      expect(span.error).toBe(failed);
      if (failed) expect(errorLog(span)?.['exception.type']).toBe(results.transact);
      expect(span.tags).toMatchObject({
        'span.kind': 'client',
        component: 'aws-sdk',
        'db.type': 'dynamodb',
        'db.instance': table,
        'aws.service': 'dynamodb',
        'aws.operation': span.name.slice('dynamodb:'.length),
        'aws.region': REGION,
        'http.status_code': failed ? 400 : 200,
        'aws.attempts': 1,
        'aws.retry_delay_ms': 0,
      });
      expect(typeof span.tags['aws.request_id']).toBe('string');
    }
    const byName = (name: string) => spans.find((s) => s.name === name) as RecordedSpan;
    expect(byName('dynamodb:GetItem').tags['aws.dynamodb.consistent_read']).toBe(true);
    expect(byName('dynamodb:Query').tags).toMatchObject({
      'aws.dynamodb.index_name': 'byKind',
      'aws.dynamodb.limit': 10,
      'aws.dynamodb.select': 'ALL_ATTRIBUTES',
      'aws.dynamodb.count': 1,
      'aws.dynamodb.scanned_count': 1,
    });
    expect(byName('dynamodb:Scan').tags).toMatchObject({
      'aws.dynamodb.limit': 50,
      'aws.dynamodb.consistent_read': true,
      'aws.dynamodb.count': 1,
      'aws.dynamodb.scanned_count': 1,
    });
    expect(typeof byName('dynamodb:Scan').tags['aws.dynamodb.consumed_capacity']).toBe('number');
    tracing.expectAllFinishedOnce();
  });
});

describe('batch and transact operations name every table', () => {
  it('db.instance joins the tables of RequestItems / TransactItems', async () => {
    const a = await createTable('multi_a');
    const b = await createTable('multi_b');
    const ddb = tracedDynamoDB(new DynamoDBClient(config()));
    const item = (i: number) => ({ PutRequest: { Item: { pk: { S: 'x' }, sk: { S: `${i}` }, v: { S: SECRET } } } });
    await ddb.send(new BatchWriteItemCommand({ RequestItems: { [a]: [item(1)], [b]: [item(2)] } }));
    await ddb
      .send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: a, Item: { pk: { S: 'y' }, sk: { S: SECRET } } } },
            { Delete: { TableName: b, Key: { pk: { S: 'x' }, sk: { S: '2' } } } },
            { Put: { TableName: a, Item: { pk: { S: 'z' }, sk: { S: SECRET } } } },
          ],
        }),
      )
      // dynalite has no transactions; the span names the tables either way.
      .catch((e: Error) => expect(e.name).toBe('UnknownOperationException'));
    expect(tracing.one('dynamodb:BatchWriteItem').tags['db.instance']).toBe(`${a},${b}`);
    expect(tracing.one('dynamodb:TransactWriteItems').tags['db.instance']).toBe(`${a},${b}`);
  });
});

describe('callback forms', () => {
  let table: string;
  beforeAll(async () => {
    table = await createTable('cb', 1);
  });

  it('aggregated getItem(input, callback): one span, callback in the caller context with the real data', async () => {
    const ddb = tracedDynamoDB(new DynamoDB(config()));
    const parent = parentSpan();
    const input = { TableName: table, Key: { pk: { S: 'p' }, sk: { S: 's0' } } };
    const { error, data, current } = await spanInContext(
      parent,
      () =>
        new Promise<{ error: unknown; data: GetItemCommandOutput | undefined; current: Span | undefined }>(
          (resolve) => {
            // The SDK's aggregated methods are async functions: with a callback they return a
            // promise of undefined, traced or not.
            const returned: unknown = ddb.getItem(input, (err: unknown, out?: GetItemCommandOutput) =>
              resolve({ error: err, data: out, current: getCurrentSpan() }),
            );
            void (returned as Promise<unknown>).then((value) => expect(value).toBeUndefined());
          },
        ),
    );
    parent.finish();
    expect(error).toBeNull();
    expect(data?.Item?.secret?.S).toBe(SECRET);
    expect(current).toBe(parent);
    expectChildOf(tracing.one('dynamodb:GetItem'), recorded(parent));
    tracing.expectAllFinishedOnce();
  });

  it('send(command, callback) and send(command, options, callback), errors included', async () => {
    const ddb = tracedDynamoDB(new DynamoDBClient(config()));
    const ok = await new Promise<unknown>((resolve) => {
      ddb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'p' }, sk: { S: 's0' } } }), (err, out) =>
        resolve(err ?? out?.Item?.secret?.S),
      );
    });
    expect(ok).toBe(SECRET);
    const failed = await new Promise<unknown>((resolve) => {
      ddb.send(new GetItemCommand({ TableName: `${table}_missing`, Key: lowKey }), {}, (err) => resolve(err));
    });
    expect(failed).toBeInstanceOf(ResourceNotFoundException);
    expect(tracing.named('dynamodb:GetItem').map((s) => s.error)).toEqual([false, true]);
    tracing.expectAllFinishedOnce();
  });

  it('DynamoDBDocument get(input, callback) from a traced base', async () => {
    const doc = DynamoDBDocument.from(tracedDynamoDB(new DynamoDBClient(config())));
    const data = await new Promise<Record<string, unknown> | undefined>((resolve, reject) => {
      doc.get({ TableName: table, Key: { pk: 'p', sk: 's0' } }, (err, out) => (err ? reject(err) : resolve(out?.Item)));
    });
    expect(data?.secret).toBe(SECRET);
    expect(tracing.named('dynamodb:GetItem')).toHaveLength(1);
    tracing.expectAllFinishedOnce();
  });
});

describe('same results and errors as the raw client', () => {
  let table: string;
  beforeAll(async () => {
    table = await createTable('same', 3);
  });

  /** A client whose outermost middleware captures what `send` is about to hand back. */
  function capturingClient() {
    const raw = new DynamoDBClient(config());
    const seen: { output?: unknown; error?: unknown } = {};
    raw.middlewareStack.add(
      (next) => async (args) => {
        try {
          const result = await next(args);
          seen.output = result.output;
          return result;
        } catch (error) {
          seen.error = error;
          throw error;
        }
      },
      { step: 'initialize', name: 'captureForTest' },
    );
    return { raw, seen };
  }

  it('resolves with the very output object, rejects with the very error object', async () => {
    const { raw, seen } = capturingClient();
    const traced = tracedDynamoDB(raw);
    const output = await traced.send(
      new GetItemCommand({ TableName: table, Key: { pk: { S: 'p' }, sk: { S: 's1' } } }),
    );
    expect(output).toBe(seen.output);
    const error = await traced.send(new GetItemCommand({ TableName: 'missing-table', Key: lowKey })).catch((e) => e);
    expect(error).toBe(seen.error);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
  });

  it('gives equal outputs and equal errors to the untraced client', async () => {
    const raw = new DynamoDBClient(config());
    const traced = tracedDynamoDB(new DynamoDBClient(config()));
    const strip = (o: { $metadata: { requestId?: string } }) => ({
      ...o,
      $metadata: { ...o.$metadata, requestId: 'x' },
    });
    const scan = new ScanCommand({ TableName: table, ConsistentRead: true });
    expect(strip(await traced.send(scan))).toEqual(strip(await raw.send(scan)));
    const bad = () => new GetItemCommand({ TableName: table, Key: { nope: { S: SECRET } } });
    const [rawError, tracedError] = await Promise.all([
      raw.send(bad()).catch((e) => e),
      traced.send(bad()).catch((e) => e),
    ]);
    expect(tracedError.constructor).toBe(rawError.constructor);
    expect({ name: tracedError.name, message: tracedError.message, fault: tracedError.$fault }).toEqual({
      name: rawError.name,
      message: rawError.message,
      fault: rawError.$fault,
    });
    // The SDK rejects invalid input before sending exactly as it does untraced.
    const noInput = await traced.send(new GetItemCommand(undefined as never)).catch((e) => e);
    const rawNoInput = await raw.send(new GetItemCommand(undefined as never)).catch((e) => e);
    expect(noInput.name).toBe(rawNoInput.name);
    expect(() => traced.send(undefined as never)).toThrow();
    expect(() => raw.send(undefined as never)).toThrow();
  });
});

describe('paginators and waiters', () => {
  it('paginateScan / paginateQuery given the traced client: one span per page', async () => {
    const table = await createTable('pages', 5);
    const ddb = tracedDynamoDB(new DynamoDBClient(config()));
    const parent = parentSpan();
    const counts = await spanInContext(parent, async () => {
      const scanned: number[] = [];
      for await (const page of paginateScan({ client: ddb, pageSize: 2 }, { TableName: table })) {
        scanned.push(page.Count ?? 0);
      }
      const queried: number[] = [];
      const query = {
        TableName: table,
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': { S: 'p' } },
      };
      for await (const page of paginateQuery({ client: ddb, pageSize: 3 }, query)) queried.push(page.Count ?? 0);
      return { scanned, queried };
    });
    parent.finish();
    expect(counts.scanned.reduce((a, b) => a + b, 0)).toBe(5);
    expect(counts.scanned.length).toBeGreaterThanOrEqual(3);
    const scans = tracing.named('dynamodb:Scan');
    expect(scans.map((s) => s.tags['aws.dynamodb.count'])).toEqual(counts.scanned);
    for (const span of scans) {
      expect(span.tags['aws.dynamodb.limit']).toBe(2);
      expectChildOf(span, recorded(parent));
    }
    expect(tracing.named('dynamodb:Query').map((s) => s.tags['aws.dynamodb.count'])).toEqual(counts.queried);
    tracing.expectAllFinishedOnce();
  });

  it('the aggregated paginateScan and the document paginateScan over a traced base: one span per page', async () => {
    const table = await createTable('pages2', 5);
    const ddb = tracedDynamoDB(new DynamoDB(config()));
    let pages = 0;
    for await (const _ of ddb.paginateScan({ TableName: table }, { pageSize: 2 })) pages++;
    expect(tracing.named('dynamodb:Scan')).toHaveLength(pages);
    tracing.reset();
    const doc = DynamoDBDocumentClient.from(tracedDynamoDB(new DynamoDBClient(config())));
    let docPages = 0;
    for await (const page of docPaginateScan({ client: doc, pageSize: 2 }, { TableName: table })) {
      docPages++;
      expect(page.Items?.every((item) => item.secret === SECRET)).toBe(true);
    }
    expect(docPages).toBe(pages);
    expect(tracing.named('dynamodb:Scan')).toHaveLength(docPages);
    tracing.expectAllFinishedOnce();
  });

  it('a waiter: one span per poll', async () => {
    const table = await createTable('wait');
    const raw = new DynamoDBClient(config());
    let polls = 0;
    raw.middlewareStack.add(
      (next) => (args) => {
        polls++;
        return next(args);
      },
      { step: 'initialize', name: 'countPolls' },
    );
    const ddb = tracedDynamoDB(raw);
    const parent = parentSpan();
    const deleting = new Promise<void>((resolve) => {
      setTimeout(() => {
        admin.send(new DeleteTableCommand({ TableName: table })).then(() => resolve(), resolve);
      }, 1200);
    });
    const result = await spanInContext(parent, () =>
      waitUntilTableNotExists({ client: ddb, maxWaitTime: 20, minDelay: 1, maxDelay: 1 }, { TableName: table }),
    );
    await deleting;
    parent.finish();
    expect(result.state).toBe('SUCCESS');
    const spans = tracing.named('dynamodb:DescribeTable');
    expect(polls).toBeGreaterThanOrEqual(2);
    expect(spans).toHaveLength(polls);
    for (const span of spans) expectChildOf(span, recorded(parent));
    // Every poll but the last found the table; the last one got ResourceNotFoundException.
    expect(spans.map((s) => s.error)).toEqual([...Array(polls - 1).fill(false), true]);
    expect(errorLog(spans.at(-1) as RecordedSpan)?.['exception.type']).toBe('ResourceNotFoundException');
    tracing.expectAllFinishedOnce();
  });

  it("the aggregated client's waitUntilTableExists: one span per poll", async () => {
    const table = await createTable('wait2');
    const ddb = tracedDynamoDB(new DynamoDB(config()));
    const result = await ddb.waitUntilTableExists({ TableName: table }, { maxWaitTime: 10, minDelay: 1, maxDelay: 1 });
    expect(result.state).toBe('SUCCESS');
    expect(tracing.one('dynamodb:DescribeTable').tags['db.instance']).toBe(table);
  });
});

describe('errors', () => {
  let table: string;
  beforeAll(async () => {
    table = await createTable('err', 1);
  });

  async function expectFailure(promise: Promise<unknown>, name: string, kind = name): Promise<RecordedSpan> {
    const error = (await promise.then(
      () => undefined,
      (e: unknown) => e,
    )) as Error & {
      $metadata?: { requestId?: string; httpStatusCode?: number; attempts?: number; totalRetryDelay?: number };
    };
    expect(error?.name).toBe(name);
    const [span] = clientSpans().filter((s) => s.error);
    expect(span).toBeDefined();
    const failed = span as RecordedSpan;
    expect(failed.error).toBe(true);
    expect(errorLog(failed)).toMatchObject({ 'exception.type': kind, 'exception.message': error.message });
    if (error.$metadata?.requestId !== undefined) expect(failed.tags['aws.request_id']).toBe(error.$metadata.requestId);
    if (error.$metadata?.httpStatusCode !== undefined)
      expect(failed.tags['http.status_code']).toBe(error.$metadata.httpStatusCode);
    // Attempts and the time waited between them are the SDK's own numbers for this call.
    expect(failed.tags['aws.attempts']).toBe(error.$metadata?.attempts);
    expect(failed.tags['aws.retry_delay_ms']).toBe(error.$metadata?.totalRetryDelay);
    tracing.expectAllFinishedOnce();
    return failed;
  }

  it('ConditionalCheckFailedException (with ALL_OLD: the old item is on the error, never on the span)', async () => {
    const ddb = tracedDynamoDB(new DynamoDBClient(config()));
    const promise = ddb.send(
      new PutItemCommand({
        TableName: table,
        Item: { pk: { S: 'p' }, sk: { S: 's0' }, secret: { S: SECRET } },
        ConditionExpression: 'attribute_not_exists(pk) OR secret = :s',
        ExpressionAttributeValues: { ':s': { S: `${SECRET}-other` } },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    await expect(promise).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    const span = await expectFailure(promise, 'ConditionalCheckFailedException');
    expect(span.tags).toMatchObject({ 'http.status_code': 400, 'db.instance': table, 'aws.attempts': 1 });
  });

  it('ResourceNotFoundException', async () => {
    const ddb = tracedDynamoDB(new DynamoDB(config()));
    const span = await expectFailure(
      ddb.getItem({ TableName: `${table}-missing`, Key: lowKey }),
      'ResourceNotFoundException',
    );
    expect(span.tags['http.status_code']).toBe(400);
  });

  it('ValidationException', async () => {
    const doc = DynamoDBDocumentClient.from(tracedDynamoDB(new DynamoDBClient(config())));
    await expectFailure(doc.send(new GetCommand({ TableName: table, Key: { wrong: SECRET } })), 'ValidationException');
  });

  it('network errors: error.kind is the code, attempts and retry delay are recorded', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const ddb = tracedDynamoDB(new DynamoDBClient(config({ endpoint: `http://127.0.0.1:${port}`, maxAttempts: 2 })));
    const span = await expectFailure(
      ddb.send(new GetItemCommand({ TableName: table, Key: lowKey })),
      'Error',
      'ECONNREFUSED',
    );
    expect(span.tags['aws.attempts']).toBe(2);
  });

  describe('service errors from a 127.0.0.1 front (answers canned errors, else forwards to the real endpoint)', () => {
    let front: Server;
    /** Error bodies the front answers with (400), in order, before it forwards again. */
    const canned: { requestId: string; body: Record<string, unknown> }[] = [];
    const throttled = () => ({
      requestId: 'THROTTLED-REQ',
      body: {
        __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
        message: 'The level of configured provisioned throughput for the table was exceeded.',
      },
    });
    beforeAll(async () => {
      const target = new URL(dynamo.endpoint);
      front = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const next = canned.shift();
          if (next !== undefined) {
            res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': next.requestId });
            res.end(JSON.stringify(next.body));
            return;
          }
          const forward = httpRequest(
            { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
            (upstream) => {
              res.writeHead(upstream.statusCode ?? 500, upstream.headers);
              upstream.pipe(res);
            },
          );
          forward.end(Buffer.concat(chunks));
        });
      });
      await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    });
    afterAll(() => new Promise<void>((r) => front.close(() => r())));

    const frontClient = (maxAttempts: number) =>
      tracedDynamoDB(
        new DynamoDBClient(
          config({ endpoint: `http://127.0.0.1:${(front.address() as AddressInfo).port}`, maxAttempts }),
        ),
      );

    it('throttled beyond the retries: ProvisionedThroughputExceededException', async () => {
      canned.push(throttled(), throttled());
      const span = await expectFailure(
        frontClient(2).send(new GetItemCommand({ TableName: table, Key: lowKey })),
        'ProvisionedThroughputExceededException',
      );
      expect(span.tags).toMatchObject({
        'aws.request_id': 'THROTTLED-REQ',
        'http.status_code': 400,
        'aws.attempts': 2,
      });
    });

    it('throttled once, then served: one span, success, attempts 2 and the retry delay', async () => {
      canned.push(throttled());
      const out = await frontClient(3).send(
        new GetItemCommand({ TableName: table, Key: { pk: { S: 'p' }, sk: { S: 's0' } } }),
      );
      expect(out.Item?.secret?.S).toBe(SECRET);
      const span = tracing.one('dynamodb:GetItem');
      expect(span.error).toBe(false);
      expect(span.tags['aws.attempts']).toBe(2);
      expect(span.tags['aws.retry_delay_ms']).toBe(out.$metadata.totalRetryDelay);
      expect(span.tags['aws.request_id']).not.toBe('THROTTLED-REQ');
    });

    it('errors that carry items (ALL_OLD, cancellation reasons): the item never reaches a tag or log', async () => {
      const item = { pk: { S: 'p' }, sk: { S: SECRET }, secret: { S: SECRET } };
      canned.push(
        {
          requestId: 'CCF-REQ',
          body: {
            __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
            message: 'The conditional request failed',
            Item: item,
          },
        },
        {
          requestId: 'TXN-REQ',
          body: {
            __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
            Message:
              'Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed]',
            CancellationReasons: [
              { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: item },
            ],
          },
        },
      );
      const ddb = frontClient(1);
      const put = await ddb
        .send(
          new PutItemCommand({
            TableName: table,
            Item: item,
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        )
        .catch((e: ConditionalCheckFailedException) => e);
      expect(put).toBeInstanceOf(ConditionalCheckFailedException);
      expect((put as ConditionalCheckFailedException).Item?.secret?.S).toBe(SECRET);
      const txn = await ddb
        .send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: table, Item: item } }] }))
        .catch((e: TransactionCanceledException) => e);
      expect(txn).toBeInstanceOf(TransactionCanceledException);
      expect((txn as TransactionCanceledException).CancellationReasons?.[0]?.Item?.secret?.S).toBe(SECRET);
      const spans = clientSpans();
      expect(spans.map((s) => [s.name, s.error, errorLog(s)?.['exception.type'], s.tags['aws.request_id']])).toEqual([
        ['dynamodb:PutItem', true, 'ConditionalCheckFailedException', 'CCF-REQ'],
        ['dynamodb:TransactWriteItems', true, 'TransactionCanceledException', 'TXN-REQ'],
      ]);
      // afterEach scans every tag and every raw log field (error objects serialized) of every span.
    });
  });
});

describe('PartiQL', () => {
  it('ExecuteStatement / BatchExecuteStatement / ExecuteTransaction: table named, parameters never recorded', async () => {
    const table = await createTable('partiql', 1);
    const raw = new DynamoDBClient(config());
    const ddb = tracedDynamoDB(new DynamoDBClient(config()));
    const select = `SELECT * FROM "${table}" WHERE pk = ? AND sk = '${SECRET}'`;
    const commands = () => [
      new ExecuteStatementCommand({ Statement: select, Parameters: [{ S: SECRET }] }),
      new BatchExecuteStatementCommand({
        Statements: [{ Statement: `SELECT * FROM "${table}" WHERE pk = ?`, Parameters: [{ S: SECRET }] }],
      }),
      new ExecuteTransactionCommand({
        TransactStatements: [
          { Statement: `INSERT INTO "${table}" VALUE {'pk': ?, 'sk': '${SECRET}'}`, Parameters: [{ S: SECRET }] },
        ],
      }),
    ];
    const outcome = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: Error) => e.name,
      );
    const tracedOutcomes: string[] = [];
    const rawOutcomes: string[] = [];
    for (const command of commands()) tracedOutcomes.push(await outcome(ddb.send(command as never)));
    for (const command of commands()) rawOutcomes.push(await outcome(raw.send(command as never)));
    // dynalite has no PartiQL (UnknownOperationException); DynamoDB Local and AWS run it.
    expect(tracedOutcomes).toEqual(rawOutcomes);
    const names = ['dynamodb:ExecuteStatement', 'dynamodb:BatchExecuteStatement', 'dynamodb:ExecuteTransaction'];
    expect(clientSpans().map((s) => s.name)).toEqual(names);
    expect(clientSpans().map((s) => [s.tags['db.instance'], s.tags['db.statement']])).toEqual([
      [table, `SELECT * FROM "${table}" WHERE pk = ? AND sk = ?`],
      [table, `SELECT * FROM "${table}" WHERE pk = ?`],
      [table, `INSERT INTO "${table}" VALUE {?: ?, ?: ?}`],
    ]);
  });
});

describe('context', () => {
  it('concurrent calls under different parents stay apart', async () => {
    const table = await createTable('conc', 1);
    const ddb = tracedDynamoDB(new DynamoDB(config()));
    const doc = DynamoDBDocumentClient.from(tracedDynamoDB(new DynamoDBClient(config())));
    const parents = [parentSpan('a'), parentSpan('b'), parentSpan('c')];
    await Promise.all(
      parents.map((parent, i) =>
        spanInContext(parent, async () => {
          for (let n = 0; n < 3; n++) {
            if (i === 2) await doc.send(new GetCommand({ TableName: table, Key: { pk: 'p', sk: 's0' } }));
            else await ddb.getItem({ TableName: table, Key: { pk: { S: 'p' }, sk: { S: 's0' } } });
            expect(getCurrentSpan()).toBe(parent);
          }
        }),
      ),
    );
    for (const parent of parents) parent.finish();
    const spans = tracing.named('dynamodb:GetItem');
    expect(spans).toHaveLength(9);
    for (const parent of parents) {
      const ids = recorded(parent);
      expect(spans.filter((s) => s.parentId === ids.spanId && s.traceId === ids.traceId)).toHaveLength(3);
    }
    tracing.expectAllFinishedOnce();
  });

  it('requireParentSpan: no span without a parent, in the send and the borrowed-stack paths alike', async () => {
    const table = await createTable('noparent', 1);
    const traced = tracedDynamoDB(new DynamoDBClient(config()), { requireParentSpan: true });
    const doc = DynamoDBDocumentClient.from(traced);
    const out = await traced.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'p' }, sk: { S: 's0' } } }));
    const docOut = await doc.send(new GetCommand({ TableName: table, Key: { pk: 'p', sk: 's0' } }));
    expect(out.Item?.secret?.S).toBe(SECRET);
    expect(docOut.Item?.secret).toBe(SECRET);
    expect(tracing.startedCount).toBe(0);
    const parent = parentSpan();
    await spanInContext(parent, () => doc.send(new GetCommand({ TableName: table, Key: { pk: 'p', sk: 's0' } })));
    parent.finish();
    expectChildOf(tracing.one('dynamodb:GetItem'), recorded(parent));
  });
});

describe('drop-in', () => {
  it('config, middlewareStack and destroy work as before; same type, untraced, idempotent', async () => {
    const table = await createTable('dropin', 1);
    const raw = new DynamoDBClient(config());
    const traced = tracedDynamoDB(raw);
    expect(traced).toBeInstanceOf(DynamoDBClient);
    expect(isTraced(traced)).toBe(true);
    expect(untraced(traced)).toBe(raw);
    expect(tracedDynamoDB(traced)).toBe(traced);
    expect(traced.send).toBe(traced.send);
    expect(traced.config).toBe(raw.config);
    expect(await traced.config.region()).toBe(REGION);
    expect(traced.middlewareStack).toBe(traced.middlewareStack);

    // Middleware added through the traced client is the real client's.
    const seen: string[] = [];
    traced.middlewareStack.add(
      (next) => (args) => {
        seen.push('mw');
        return next(args);
      },
      { step: 'initialize', name: 'dropInTest' },
    );
    expect(raw.middlewareStack.identify()).toEqual(traced.middlewareStack.identify());
    await raw.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'p' }, sk: { S: 's0' } } }));
    await traced.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'p' }, sk: { S: 's0' } } }));
    expect(seen).toEqual(['mw', 'mw']);
    expect(traced.middlewareStack.remove('dropInTest')).toBe(true);
    expect(raw.middlewareStack.identify().some((m) => m.includes('dropInTest'))).toBe(false);
    // One span: the raw client's call is not traced.
    expect(tracing.named('dynamodb:GetItem')).toHaveLength(1);

    let destroyed = 0;
    const handler = raw.config.requestHandler as { destroy?: () => void };
    const realDestroy = handler.destroy?.bind(handler);
    handler.destroy = () => {
      destroyed++;
      realDestroy?.();
    };
    expect(traced.destroy()).toBeUndefined();
    expect(destroyed).toBe(1);
  });

  it('a tracer that throws never breaks a command; the no-op tracer records nothing', async () => {
    const table = await createTable('faults', 1);
    const faults: string[] = [];
    const broken = {
      ...tracing.tracer,
      startSpan: () => {
        throw new Error('tracer down');
      },
    } as unknown as typeof tracing.tracer;
    const ddb = tracedDynamoDB(new DynamoDBClient(config()), {
      tracer: broken,
      onInstrumentationError: (_e, source) => faults.push(source),
    });
    const doc = DynamoDBDocumentClient.from(ddb);
    const out = await ddb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'p' }, sk: { S: 's0' } } }));
    const docOut = await doc.send(new GetCommand({ TableName: table, Key: { pk: 'p', sk: 's0' } }));
    expect(out.Item?.secret?.S).toBe(SECRET);
    expect(docOut.Item?.secret).toBe(SECRET);
    expect(faults).toEqual(['tracer.startSpan', 'tracer.startSpan']);
    resetConfig();
    const quiet = tracedDynamoDB(new DynamoDBClient(config()));
    await quiet.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'p' }, sk: { S: 's0' } } }));
    expect(tracing.startedCount).toBe(0);
  });

  it("opentracing's no-op tracer: send reads the command as often as the raw client does, and records nothing", async () => {
    const table = await createTable('noop', 1);
    const counted = () => {
      const command = new GetItemCommand({ TableName: table, Key: { pk: { S: 'p' }, sk: { S: 's0' } } });
      const input = command.input;
      const reads = { count: 0 };
      Object.defineProperty(command, 'input', {
        get: () => {
          reads.count++;
          return input;
        },
      });
      return { command, reads };
    };
    const raw = counted();
    const noop = counted();
    const rawOut = await new DynamoDBClient(config()).send(raw.command);
    const noopOut = await tracedDynamoDB(new DynamoDBClient(config()), { tracer: new Tracer() }).send(noop.command);
    expect(noopOut.Item).toEqual(rawOut.Item);
    expect(noop.reads.count).toBe(raw.reads.count);
    expect(tracing.startedCount).toBe(0);
  });

  it('cacheMiddleware clients: every send traced, the raw client never', async () => {
    const table = await createTable('cache', 1);
    const raw = new DynamoDBClient(config({ cacheMiddleware: true }));
    const traced = tracedDynamoDB(raw);
    const get = () => new GetItemCommand({ TableName: table, Key: { pk: { S: 'p' }, sk: { S: 's0' } } });
    await traced.send(get());
    await raw.send(get());
    await traced.send(get());
    await raw.send(get());
    expect(tracing.named('dynamodb:GetItem')).toHaveLength(2);
  });

  it('operationName, requestHook and responseHook; a throwing hook does not break the call', async () => {
    const table = await createTable('hooks', 1);
    const requests: unknown[] = [];
    const responses: unknown[] = [];
    const faults: string[] = [];
    const ddb = tracedDynamoDB(new DynamoDBClient(config()), {
      operationName: (info) => `ddb.${info.operation}`,
      requestHook: (span, info) => {
        requests.push({ service: info.service, operation: info.operation });
        span.setTag('custom', 'yes');
        throw new Error('hook failure');
      },
      responseHook: (_span, info) => responses.push(info.output),
      onInstrumentationError: (_e, source) => faults.push(source),
      tags: { team: 'storage' },
    });
    const out = await ddb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'p' }, sk: { S: 's0' } } }));
    expect(out.Item?.secret?.S).toBe(SECRET);
    expect(requests).toEqual([{ service: 'dynamodb', operation: 'GetItem' }]);
    expect(responses).toEqual([out]);
    expect(responses[0]).toBe(out);
    expect(faults).toEqual(['requestHook']);
    expect(tracing.one('ddb.GetItem').tags).toMatchObject({ custom: 'yes', team: 'storage', 'db.instance': table });
    const fixed = tracedDynamoDB(new DynamoDBClient(config()), { operationName: 'dynamo-call' });
    await fixed.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'p' }, sk: { S: 's0' } } }));
    expect(tracing.one('dynamo-call').tags['aws.operation']).toBe('GetItem');
  });
});
