/**
 * Fault: the DynamoDB endpoint is down (nothing listens on its port). The app sees the very
 * error the raw client gives, the span records it and finishes once, and the app keeps
 * serving once the endpoint is back.
 */
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect } from 'vitest';
import { spanInContext, tracedDynamoDB } from '../../../src/index.js';
import { startDynamo } from '../../helpers/services.js';
import { dynamoConfig } from './lib/dynamo.js';
import { errorShape, faultBook, faultTracing, settle, startServing } from './lib/fault.js';

const SOURCE = 'faults: DynamoDB endpoint down';
const rig = faultTracing(SOURCE);
const fault = faultBook(SOURCE);

describe('DynamoDB endpoint down', () => {
  fault(
    'send: the same error as the raw client, the span failed and finished once, the app keeps serving',
    async () => {
      const dynamo = await startDynamo();
      const endpoint = dynamo.endpoint;
      await dynamo.close(); // the endpoint is down now: connection refused
      const raw = new DynamoDBClient(dynamoConfig(endpoint));
      const traced = tracedDynamoDB(new DynamoDBClient(dynamoConfig(endpoint)));
      const rawOutcome = await settle(raw.send(new ListTablesCommand({})));
      const parent = rig.tracing.tracer.startSpan('request');
      const tracedOutcome = await spanInContext(parent, () => settle(traced.send(new ListTablesCommand({}))));
      parent.finish();
      expect(rawOutcome.ok).toBe(false);
      expect(tracedOutcome.ok).toBe(false);
      expect(errorShape(tracedOutcome.error)).toEqual(errorShape(rawOutcome.error));
      raw.destroy();
      traced.destroy();

      // The app keeps serving: a client on a live endpoint, through the traced server.
      const up = await startDynamo();
      const live = tracedDynamoDB(new DynamoDBClient(dynamoConfig(up.endpoint)));
      const served = await startServing(
        async () => (await live.send(new ListTablesCommand({}))).TableNames !== undefined,
      );
      expect(await served.request()).toEqual({ status: 200, body: 'true' });
      await served.close();
      live.destroy();
      await up.close();

      const spans = await rig.settled();
      const failed = spans.filter((s) => s.tags.component === 'aws-sdk' && s.error);
      expect(failed).toHaveLength(1);
    },
  );
});
