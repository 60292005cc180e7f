/**
 * tracedAws with `@aws-sdk/client-s3` and `@aws-sdk/lib-storage` against s3rver, a local S3
 * server started in-process on 127.0.0.1. Object keys and bodies carry a secret marker that
 * must never reach a tag or a log.
 */
import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchBucket,
  NoSuchKey,
  PutObjectCommand,
  S3,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Span } from 'opentracing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tracedAws } from '../../src/aws.js';
import { getCurrentSpan, spanInContext } from '../../src/context/index.js';
import { configure, resetConfig, untraced } from '../../src/core/index.js';
import { rawLogTracer } from '../helpers/raw-logs.js';
import { bucketName, S3_CREDENTIALS, startS3 } from '../helpers/s3.js';
import { uniqueName } from '../helpers/services.js';
import { createTestTracing, errorLog, expectChildOf, idsOf } from '../helpers/tracing.js';

const tracing = createTestTracing();
const SECRET = 'S3CR3T-MARKER-41b7';
const REGION = 'eu-west-1';

let s3server: { endpoint: string; close(): Promise<void> };
let admin: S3Client;
let bucket: string;

function config(): S3ClientConfig {
  return { endpoint: s3server.endpoint, region: REGION, credentials: S3_CREDENTIALS, forcePathStyle: true };
}

function parentSpan(): Span {
  return tracing.tracer.startSpan('parent');
}

beforeAll(async () => {
  s3server = await startS3();
  admin = new S3Client(config());
  bucket = bucketName(uniqueName('tc-s3'));
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
});

afterAll(async () => {
  admin.destroy();
  await s3server.close();
  await tracing.shutdown();
});

const raw = rawLogTracer(tracing.tracer);

beforeEach(() => {
  tracing.reset();
  raw.logs.length = 0;
  configure({ tracer: raw.tracer });
});

afterEach(() => {
  const text = JSON.stringify(tracing.spans().map((s) => ({ name: s.name, tags: s.tags, logs: s.logs })));
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain('41b7');
  expect(raw.serialized()).not.toContain(SECRET);
  resetConfig();
});

describe('tracedAws with S3', () => {
  it('PutObject, GetObject (the body stream works unchanged), ListObjectsV2: one span each, bucket but never key', async () => {
    const s3 = tracedAws(new S3Client(config()));
    const key = `reports/${SECRET}.txt`;
    const body = `hello ${SECRET}`;
    const parent = parentSpan();
    const { text, listed } = await spanInContext(parent, async () => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      // The body streams after the span has finished, in the caller's context.
      const text = await got.Body?.transformToString();
      expect(getCurrentSpan()).toBe(parent);
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      return { text, listed };
    });
    parent.finish();
    expect(text).toBe(body);
    expect(listed.Contents?.map((c) => c.Key)).toContain(key);

    const spans = tracing.spans().filter((s) => s.name !== 'parent');
    expect(spans.map((s) => s.name)).toEqual(['s3:PutObject', 's3:GetObject', 's3:ListObjectsV2']);
    for (const span of spans) {
      expectChildOf(span, idsOf(parent));
      expect(span.error).toBe(false);
      expect(span.tags).toMatchObject({
        'span.kind': 'client',
        component: 'aws-sdk',
        'aws.service': 's3',
        'aws.operation': span.name.slice(3),
        'aws.region': REGION,
        'aws.s3.bucket': bucket,
        'http.status_code': 200,
        'aws.attempts': 1,
      });
      expect(span.tags['db.type']).toBeUndefined();
    }
    tracing.expectAllFinishedOnce();
  });

  it('the GetObject output (and its Body stream) is the very object the client gives', async () => {
    const raw = new S3Client(config());
    const outputs: unknown[] = [];
    const s3 = tracedAws(raw, { responseHook: (_span, info) => outputs.push(info.output) });
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `same-${SECRET}`, Body: 'x' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `same-${SECRET}` }));
    expect(outputs[1]).toBe(got);
    expect(await got.Body?.transformToString()).toBe('x');
    expect(untraced(s3)).toBe(raw);
  });

  it('a missing bucket: NoSuchBucket tagged and re-raised unchanged', async () => {
    const s3 = tracedAws(new S3Client(config()));
    const missing = bucketName(uniqueName('tc-missing'));
    const error = await s3.send(new ListObjectsV2Command({ Bucket: missing })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoSuchBucket);
    const span = tracing.one('s3:ListObjectsV2');
    expect(span.error).toBe(true);
    expect(span.tags).toMatchObject({ 'aws.s3.bucket': missing, 'http.status_code': 404 });
    expect(errorLog(span)).toMatchObject({
      'exception.type': 'NoSuchBucket',
      'exception.message': (error as Error).message,
    });
    tracing.expectAllFinishedOnce();
  });

  it('a missing key: NoSuchKey tagged, and the key the error carries is not logged', async () => {
    const s3 = tracedAws(new S3Client(config()));
    const error = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `missing/${SECRET}` })).catch((e) => e);
    expect(error).toBeInstanceOf(NoSuchKey);
    expect((error as NoSuchKey & { Key?: string }).Key).toBe(`missing/${SECRET}`);
    const span = tracing.one('s3:GetObject');
    expect(span.error).toBe(true);
    expect(span.tags).toMatchObject({ 'aws.s3.bucket': bucket, 'http.status_code': 404 });
    expect(errorLog(span)?.['exception.type']).toBe('NoSuchKey');
  });

  it('lib-storage Upload (multipart): one span per part command, all under the caller', async () => {
    const s3 = tracedAws(new S3Client(config()));
    const partSize = 5 * 1024 * 1024;
    const data = Buffer.alloc(partSize * 2 + 1024, SECRET);
    const key = `big/${SECRET}.bin`;
    const parent = parentSpan();
    const result = await spanInContext(parent, () =>
      new Upload({ client: s3, params: { Bucket: bucket, Key: key, Body: Readable.from([data]) }, partSize }).done(),
    );
    parent.finish();
    expect(result.Bucket).toBe(bucket);
    const names = tracing
      .spans()
      .filter((s) => s.name !== 'parent')
      .map((s) => s.name);
    expect(names.filter((n) => n === 's3:UploadPart')).toHaveLength(3);
    expect(names.filter((n) => n === 's3:CreateMultipartUpload')).toHaveLength(1);
    expect(names.filter((n) => n === 's3:CompleteMultipartUpload')).toHaveLength(1);
    expect(names).toHaveLength(5);
    for (const span of tracing.spans().filter((s) => s.name !== 'parent')) {
      expectChildOf(span, idsOf(parent));
      expect(span.tags['aws.s3.bucket']).toBe(bucket);
    }
    tracing.expectAllFinishedOnce();
    const head = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.ContentLength).toBe(data.length);
    await head.Body?.transformToByteArray();
    await admin.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  });

  it('the aggregated S3 class: methods go through the traced send', async () => {
    const s3 = tracedAws(new S3(config()));
    await s3.putObject({ Bucket: bucket, Key: `agg-${SECRET}`, Body: 'y' });
    await s3.deleteObject({ Bucket: bucket, Key: `agg-${SECRET}` });
    expect(tracing.spans().map((s) => s.name)).toEqual(['s3:PutObject', 's3:DeleteObject']);
  });

  it('CreateBucket / DeleteBucket', async () => {
    const s3 = tracedAws(new S3Client(config()));
    const name = bucketName(uniqueName('tc-tmp'));
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    await s3.send(new DeleteBucketCommand({ Bucket: name }));
    expect(tracing.spans().map((s) => [s.name, s.tags['aws.s3.bucket']])).toEqual([
      ['s3:CreateBucket', name],
      ['s3:DeleteBucket', name],
    ]);
  });
});
