/**
 * A local S3 for the AWS tests: `s3rver` in-process on 127.0.0.1 with a temporary directory,
 * accepting the fake credentials every test uses (accessKeyId `test`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const S3_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

interface Account {
  createKeyPair(accessKeyId: string, secretAccessKey: string): void;
}

/** Starts s3rver; `close` stops it and removes its directory. */
export async function startS3(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const { default: S3rver } = await import('s3rver');
  // s3rver checks signatures against its account registry; register the tests' fake key.
  const require = createRequire(import.meta.url);
  const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account') as { DUMMY_ACCOUNT: Account };
  DUMMY_ACCOUNT.createKeyPair(S3_CREDENTIALS.accessKeyId, S3_CREDENTIALS.secretAccessKey);
  const directory = mkdtempSync(join(tmpdir(), 'traced-clients-s3-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** An S3 bucket name from a unique name: lower case, dashes, at most 63 characters. */
export function bucketName(unique: string): string {
  return unique
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 63)
    .replace(/-+$/, '');
}
