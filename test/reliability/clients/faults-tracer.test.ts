/**
 * Faults of the instrumentation itself, across every client at once: a tracer whose
 * `startSpan`, `inject`, `extract`, `setTag`, `log` or `finish` throws, and client and server
 * hooks that throw or return rejected promises. Requests go through the whole app (server
 * adapter, pg, mysql2, Redis, DynamoDB, fetch, AMQP round trip): every response must be the
 * right one, no unhandled rejection, no span finished twice or left open, and the fault must
 * have been hit and reported.
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { configure, resetConfig } from '../../../src/index.js';
import { servicesAvailable } from '../../helpers/services.js';
import { brokenTracer, TRACER_METHODS } from '../lib/broken-tracer.js';
import { FIGURE, recordFigure, scaled } from '../lib/figures.js';
import { badHook, type HookMode } from '../lib/hooks.js';
import { SpanLedger } from '../lib/ledger.js';
import { sendLoad } from '../lib/load.js';
import { quiesce, startWatchdog } from '../lib/watchdog.js';
import { type App, startApp } from './lib/app.js';
import { faultBook } from './lib/fault.js';

const SOURCE = 'faults: tracer and hooks';
const fault = faultBook(SOURCE);
const available = await servicesAvailable('pg', 'mysql', 'redis', 'amqp');
const REQUESTS = scaled(20, 200);
let crashes = 0;
afterAll(() => recordFigure(FIGURE.CRASHES, crashes, SOURCE));

/** The error kinds one failing call per client gives, as the app sees them without tracing. */
const FAILURES = ['22012', 'ER_NO_SUCH_TABLE', 'ReplyError', 'ResourceNotFoundException', 'TypeError'];

/**
 * Sends REQUESTS requests; each must answer 200 with every client's value equal to its id.
 * Then as many requests whose calls all fail, so error paths (span.log) are exercised too:
 * each must report the raw errors.
 */
async function expectServing(app: App): Promise<void> {
  const watchdog = startWatchdog();
  const sent = await sendLoad({ port: app.port, path: (id) => `/r/${id}`, count: REQUESTS, sockets: 32 });
  const failing = await sendLoad({ port: app.port, path: (id) => `/f/${id}`, count: REQUESTS, sockets: 32 });
  await quiesce(100);
  const wrongFailures = failing.filter((s) => s.status !== 200 || s.body !== JSON.stringify(FAILURES));
  expect(wrongFailures.map((s) => `${s.id}: ${s.status} ${s.body}`).slice(0, 3)).toEqual([]);
  const report = await watchdog.stop();
  crashes += report.crashes;
  const wrong = sent.filter(
    (s) => s.status !== 200 || Object.values(JSON.parse(s.body) as object).some((v) => v !== s.id),
  );
  expect(wrong.map((s) => `${s.id}: ${s.status} ${s.body}`).slice(0, 3)).toEqual([]);
  expect(report.unhandledRejections).toEqual([]);
  expect(report.uncaughtExceptions).toEqual([]);
}

describe.runIf(available)('a tracer that throws, across every client and the server adapter', () => {
  let app: App;
  const faults: string[] = [];
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
    resetConfig();
  });

  for (const method of TRACER_METHODS) {
    fault(
      `${method} throws: every response right, the fault reported, no span finished twice or left open`,
      async () => {
        const broken = brokenTracer(method);
        faults.length = 0;
        configure({ tracer: broken.tracer, onInstrumentationError: (_e, source) => faults.push(source) });
        await expectServing(app);
        expect(broken.throws[method]).toBeGreaterThan(0);
        expect(faults.length).toBeGreaterThan(0);
        const ledger = new SpanLedger(broken.inner);
        const counts = ledger.counts();
        recordFigure(FIGURE.STARTED, counts.started, `${SOURCE}: ${method}`);
        recordFigure(FIGURE.FINISHED, counts.finished, `${SOURCE}: ${method}`);
        recordFigure(FIGURE.DOUBLE_FINISHED, counts.doubleFinished, `${SOURCE}: ${method}`);
        recordFigure(FIGURE.UNFINISHED, counts.unfinished, `${SOURCE}: ${method}`);
        expect(counts.doubleFinished).toBe(0);
        expect(counts.unfinished).toBe(0);
      },
    );
  }
});

describe.runIf(available).each(['throw', 'reject'] as HookMode[])('client and server hooks that %s', (mode) => {
  let app: App;
  const faults: string[] = [];
  const clientRequest = badHook('requestHook', mode);
  const clientResponse = badHook('responseHook', mode);
  const serverRequest = badHook('server requestHook', mode);
  const serverResponse = badHook('server responseHook', mode);
  const ledger = { current: undefined as SpanLedger | undefined };
  beforeAll(async () => {
    const { createTestTracing } = await import('../../helpers/tracing.js');
    const tracing = createTestTracing();
    ledger.current = new SpanLedger(tracing);
    configure({ tracer: tracing.tracer, onInstrumentationError: (_e, source) => faults.push(source) });
    app = await startApp({
      clients: { requestHook: clientRequest.fn, responseHook: clientResponse.fn },
      server: { requestHook: serverRequest.fn, responseHook: serverResponse.fn },
    });
  });
  afterAll(async () => {
    await app?.close();
    resetConfig();
  });

  fault(`hooks that ${mode}: every response right, reported, spans finished exactly once`, async () => {
    ledger.current?.drain();
    await expectServing(app);
    expect(clientRequest.calls()).toBeGreaterThanOrEqual(REQUESTS * 6);
    expect(clientResponse.calls()).toBeGreaterThanOrEqual(REQUESTS * 6);
    expect(serverRequest.calls()).toBe(REQUESTS * 2); // the succeeding and the failing requests
    expect(serverResponse.calls()).toBe(REQUESTS * 2);
    expect(faults).toEqual(expect.arrayContaining(['requestHook', 'responseHook']));
    const counts = ledger.current?.counts();
    recordFigure(FIGURE.STARTED, counts?.started ?? 0, `${SOURCE}: hooks ${mode}`);
    recordFigure(FIGURE.FINISHED, counts?.finished ?? 0, `${SOURCE}: hooks ${mode}`);
    recordFigure(FIGURE.DOUBLE_FINISHED, counts?.doubleFinished ?? 0, `${SOURCE}: hooks ${mode}`);
    recordFigure(FIGURE.UNFINISHED, counts?.unfinished ?? 0, `${SOURCE}: hooks ${mode}`);
    expect(counts?.doubleFinished).toBe(0);
    expect(counts?.unfinished).toBe(0);
  });
});
