/**
 * Pieces shared by the fault tests: the shape of an error (to compare what the app sees
 * through a traced client with what the raw client gives in the same fault), a tiny traced
 * server (to prove the app keeps serving after a fault), and the book of faults survived.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeEach, expect, it } from 'vitest';
import { configure, resetConfig, tracedRequestListener } from '../../../../src/index.js';
import { createTestTracing, type RecordedSpan } from '../../../helpers/tracing.js';
import { FIGURE, recordFigure } from '../../lib/figures.js';
import { SpanLedger } from '../../lib/ledger.js';
import { quiesce, startWatchdog } from '../../lib/watchdog.js';

/** What identifies an error for the app: class, name, code, message, and the cause's code. */
export function errorShape(error: unknown): Record<string, unknown> {
  if (error === null || typeof error !== 'object') return { value: error };
  const e = error as { name?: unknown; code?: unknown; message?: unknown; cause?: { code?: unknown; name?: unknown } };
  return {
    class: error.constructor?.name,
    name: e.name,
    code: e.code,
    message: e.message,
    causeCode: e.cause?.code,
    causeName: e.cause?.name,
  };
}

/** How a promise settled: `{ ok, value }` or `{ error }`. */
export async function settle<T>(
  promise: Promise<T> | (() => Promise<T>),
): Promise<{ ok: boolean; value?: T; error?: unknown }> {
  try {
    return { ok: true, value: await (typeof promise === 'function' ? promise() : promise) };
  } catch (error) {
    return { ok: false, error };
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A traced server whose handler runs `work` and answers its result (500 with the error's name otherwise). */
export async function startServing(work: () => Promise<unknown>): Promise<{
  request(): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}> {
  const server = createServer(
    tracedRequestListener(async (_req: IncomingMessage, res: ServerResponse) => {
      try {
        res.end(JSON.stringify(await work()));
      } catch (error) {
        res.statusCode = 500;
        res.end(error instanceof Error ? error.name : String(error));
      }
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    async request() {
      const response = await fetch(`http://127.0.0.1:${address.port}/`);
      return { status: response.status, body: await response.text() };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * `it` for a fault: counted as survived when the test passes, as not survived when it fails;
 * the counts become figures when the file ends.
 */
export function faultBook(source: string): (name: string, fn: () => Promise<void>, timeout?: number) => void {
  let survived = 0;
  let failed = 0;
  afterAll(() => {
    recordFigure(FIGURE.FAULTS_SURVIVED, survived, source);
    recordFigure(FIGURE.FAULTS_FAILED, failed, source);
  });
  return (name, fn, timeout) =>
    it(
      name,
      async (context) => {
        context.onTestFailed(() => {
          failed++;
        });
        await fn();
        survived++;
      },
      timeout,
    );
}

/**
 * The test tracer, a ledger and a watchdog for one fault file: `configure` in every test,
 * figures at the end. `settled()` waits for stragglers, then returns the spans of the test
 * and fails if anything crashed, a span is unfinished or finished twice.
 */
export function faultTracing(source: string) {
  const state = {
    tracing: createTestTracing(),
    faults: [] as string[],
    watchdog: undefined as ReturnType<typeof startWatchdog> | undefined,
    crashes: 0,
  };
  const ledger = new SpanLedger(state.tracing);
  beforeEach(() => {
    state.faults = [];
    resetConfig();
    configure({ tracer: state.tracing.tracer, onInstrumentationError: (_e, s) => state.faults.push(s) });
    state.watchdog = startWatchdog();
  });
  afterEach(async () => {
    const report = await state.watchdog?.stop();
    state.crashes += report?.crashes ?? 0;
    resetConfig();
  });
  afterAll(() => {
    ledger.drain();
    const counts = ledger.counts();
    recordFigure(FIGURE.STARTED, counts.started, source);
    recordFigure(FIGURE.FINISHED, counts.finished, source);
    recordFigure(FIGURE.DOUBLE_FINISHED, counts.doubleFinished, source);
    recordFigure(FIGURE.UNFINISHED, counts.unfinished, source);
    recordFigure(FIGURE.CRASHES, state.crashes, source);
  });
  return {
    get tracing() {
      return state.tracing;
    },
    get faults() {
      return state.faults;
    },
    /** Waits for late settlements, checks crashes and span completeness, returns the spans. */
    async settled(ms = 100): Promise<RecordedSpan[]> {
      await quiesce(ms);
      const report = state.watchdog?.report();
      expect(report?.unhandledRejections ?? []).toEqual([]);
      expect(report?.uncaughtExceptions ?? []).toEqual([]);
      expect({ unfinished: state.tracing.unfinished(), doubleFinished: state.tracing.doubleFinished() }).toEqual({
        unfinished: 0,
        doubleFinished: 0,
      });
      return ledger.drain();
    },
  };
}
