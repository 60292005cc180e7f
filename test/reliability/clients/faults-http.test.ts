/**
 * Fault: the HTTP peer resets the connection (TCP RST) while fetch waits for the response.
 * The app sees the very error raw fetch gives, the span records it and finishes once, no
 * unhandled rejection, and the app keeps serving.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { spanInContext, tracedFetch } from '../../../src/index.js';
import { errorLog } from '../../helpers/tracing.js';
import { errorShape, faultBook, faultTracing, settle, startServing } from './lib/fault.js';

const SOURCE = 'faults: HTTP peer reset';
const rig = faultTracing(SOURCE);
const fault = faultBook(SOURCE);

describe('HTTP peer resetting the connection', () => {
  let resetter: Server;
  let url: string;
  beforeAll(async () => {
    // Reads the request, then answers with a TCP reset.
    resetter = createServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    await new Promise<void>((resolve) => resetter.listen(0, '127.0.0.1', resolve));
    const address = resetter.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    url = `http://127.0.0.1:${address.port}/reset`;
  });
  afterAll(() => new Promise<void>((resolve) => resetter.close(() => resolve())));

  fault('fetch: the same error as raw fetch, the span failed and finished once, the app keeps serving', async () => {
    const raw = await settle(globalThis.fetch(url));
    const fetch = tracedFetch(globalThis.fetch);
    const parent = rig.tracing.tracer.startSpan('request');
    const traced = await spanInContext(parent, () => settle(fetch(url)));
    parent.finish();
    expect(raw.ok).toBe(false);
    expect(traced.ok).toBe(false);
    expect(errorShape(traced.error)).toEqual(errorShape(raw.error));

    const served = await startServing(() => fetch('data:text/plain,ok').then((r) => r.text()));
    expect(await served.request()).toEqual({ status: 200, body: '"ok"' });
    await served.close();

    const spans = await rig.settled();
    const failed = spans.filter((s) => s.tags.component === 'fetch' && s.error);
    expect(failed).toHaveLength(1);
    expect(errorLog(failed[0]!)).toBeDefined();
  });
});
