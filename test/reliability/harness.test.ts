/**
 * The harness proves itself on the kv stand-in client (test/helpers/kv-client.ts), written
 * the way the real clients are: each piece must catch what it is for (a double finish, a
 * misparented span, a thrown tracer method, a leaked marker, a stuck process), or the
 * figures it produces for the real clients would mean nothing.
 */
import { fileURLToPath } from 'node:url';
import { FORMAT_HTTP_HEADERS } from 'opentracing';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spanInContext } from '../../src/context/index.js';
import { capLength, configure, extractSafely, injectSafely, resetConfig, resetWarnings } from '../../src/core/index.js';
import { KvClient, KvError, tracedKv } from '../helpers/kv-client.js';
import { createTestTracing, idsOf } from '../helpers/tracing.js';
import { brokenTracer, TRACER_METHODS } from './lib/broken-tracer.js';
import { runChild } from './lib/child.js';
import { FIGURE, recordFigure } from './lib/figures.js';
import { badClientHooks, badHook } from './lib/hooks.js';
import { checkParents, expectParents, SpanLedger } from './lib/ledger.js';
import { SecretCorpus, scanForSecrets } from './lib/secrets.js';
import { startWatchdog } from './lib/watchdog.js';

const SOURCE = 'harness (kv stand-in)';
const child = (name: string) => fileURLToPath(new URL(`./children/${name}`, import.meta.url));
const tracing = createTestTracing();
const ledger = new SpanLedger(tracing);
let faults: string[] = [];
let survived = 0;
let crashes = 0;

beforeEach(() => {
  faults = [];
  resetConfig();
  configure({ tracer: tracing.tracer, onInstrumentationError: (_e, source) => faults.push(source) });
});
afterEach(() => {
  resetConfig();
  resetWarnings();
});
afterAll(() => {
  recordFigure(FIGURE.FAULTS_SURVIVED, survived, SOURCE);
  recordFigure(FIGURE.CRASHES, crashes, SOURCE);
});

describe('span ledger', () => {
  it('counts started, finished, double-finished and unfinished spans, across drains', async () => {
    const kv = tracedKv(new KvClient());
    await kv.set('a', '1');
    await kv.get('a');
    const twice = tracing.tracer.startSpan('twice');
    twice.finish();
    twice.finish();
    tracing.tracer.startSpan('never finished');
    expect(ledger.counts()).toEqual({ started: 4, finished: 3, doubleFinished: 1, unfinished: 1 });
    const drained = ledger.drain();
    expect(drained.map((s) => s.name).sort()).toEqual(['kv:get', 'kv:set', 'twice']);
    await kv.get('a');
    expect(ledger.counts()).toEqual({ started: 5, finished: 4, doubleFinished: 1, unfinished: 1 });
    ledger.drain();
  });

  it('counts misparented spans against an expected-parent map, and spans that never arrived', async () => {
    const kv = tracedKv(new KvClient());
    const a = tracing.tracer.startSpan('request a');
    const b = tracing.tracer.startSpan('request b');
    await Promise.all([
      spanInContext(a, () => kv.get(`a`)),
      spanInContext(b, () => kv.get(`b`)),
      spanInContext(a, () => kv.getLater(`a`)),
    ]);
    a.finish();
    b.finish();
    const spans = tracing.spans();
    const requestOf = (key: string) => idsOf(key === 'a' ? a : b);
    const rightful = expectParents(spans, (s) => {
      if (!s.name.startsWith('kv:')) return undefined;
      const want = requestOf(String(s.tags['db.statement']).split(' ')[1] ?? '');
      return { traceId: want.traceId, parentId: want.spanId };
    });
    expect(checkParents(spans, rightful)).toMatchObject({ checked: 3, misparented: 0 });

    // The same map with one expectation swapped, and one span that never arrived.
    const wrong = new Map(rightful);
    const first = [...wrong.keys()][0] as string;
    wrong.set(first, { traceId: idsOf(b).traceId, parentId: idsOf(b).spanId });
    wrong.set('00000000deadbeef', { traceId: idsOf(a).traceId, parentId: idsOf(a).spanId });
    const result = checkParents(spans, wrong);
    expect(result.checked).toBe(4);
    expect(result.misparented).toBeGreaterThanOrEqual(1);
    expect(result.examples.some((e) => e.includes('never recorded'))).toBe(true);
    ledger.drain();
  });
});

describe('broken tracer', () => {
  for (const method of TRACER_METHODS) {
    it(`${method} throwing: every call style returns the raw result, the fault is reported, spans finish at most once`, async () => {
      const broken = brokenTracer(method);
      const watchdog = startWatchdog();
      const kv = tracedKv(new KvClient(), { tracer: broken.tracer });
      expect(await kv.set('a', '1')).toBe('OK');
      expect(await kv.get('a')).toBe('1');
      const failure = await kv.get('fail').catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(KvError);
      expect(kv.getSync('a')).toBe('1');
      expect(await new Promise((resolve) => kv.getCb('a', (e, v) => resolve([e, v])))).toEqual([null, '1']);
      expect(await kv.getLater('a')).toBe('1');
      if (method === 'inject' || method === 'extract') {
        // The kv client does not propagate; the core's injectSafely/extractSafely are what
        // every propagating client calls, so they are the ones to prove here.
        const span = broken.inner.tracer.startSpan('carrier');
        injectSafely(broken.tracer, span, FORMAT_HTTP_HEADERS, {});
        const extracted = extractSafely(broken.tracer, FORMAT_HTTP_HEADERS, {
          traceparent: `00-${idsOf(span).traceId}-${idsOf(span).spanId}-01`,
        });
        span.finish();
        expect(broken.throws[method]).toBe(1);
        expect(faults).toEqual([`tracer.${method}`]);
        if (method === 'extract') expect(extracted).toBeUndefined();
        else expect(extracted?.toTraceId()).toBe(idsOf(span).traceId);
      } else {
        expect(broken.throws[method]).toBeGreaterThan(0);
        expect(faults.length).toBeGreaterThan(0);
      }
      const report = await watchdog.stop();
      crashes += report.crashes;
      expect(report.crashes).toBe(0);
      expect(broken.inner.doubleFinished()).toBe(0);
      if (method !== 'finish') broken.inner.expectAllFinishedOnce();
      survived++;
    });
  }
});

describe('hooks that throw or reject', () => {
  for (const mode of ['throw', 'reject'] as const) {
    it(`hooks that ${mode}: the call returns the raw result, no unhandled rejection, spans finish once`, async () => {
      const watchdog = startWatchdog();
      const hooks = badClientHooks(mode);
      const name = badHook('operationName', mode);
      const kv = tracedKv(new KvClient(), { ...hooks.options, operationName: name.fn });
      expect(await kv.set('a', '1')).toBe('OK');
      await expect(kv.get('fail')).rejects.toBeInstanceOf(KvError);
      const report = await watchdog.stop();
      crashes += report.crashes;
      expect(hooks.calls()).toBeGreaterThanOrEqual(3);
      expect(name.calls()).toBe(2);
      expect(report.crashes).toBe(0);
      expect(faults).toContain('requestHook');
      tracing.expectAllFinishedOnce();
      ledger.drain();
      survived++;
    });
  }
});

describe('watchdog', () => {
  it('sees unhandled rejections and uncaught exceptions (proved in a child process)', async () => {
    const outcome = await runChild<{ rejections: number; exceptions: number }>(child('unhandled.ts'), {
      deadlineMs: 15_000,
    });
    expect(outcome.result).toEqual({ rejections: 1, exceptions: 1 });
  });

  it('is quiet when nothing goes wrong', async () => {
    const watchdog = startWatchdog();
    await Promise.reject(new Error('handled')).catch(() => undefined);
    expect((await watchdog.stop()).crashes).toBe(0);
  });
});

describe('secret scanner', () => {
  it('finds markers in operation names, tags and log fields, also cut by a length cap; never in what was not recorded', async () => {
    const corpus = new SecretCorpus();
    const kv = tracedKv(new KvClient());
    const valueSecret = corpus.text('kv value');
    await kv.set('plain', valueSecret);
    expect(scanForSecrets(tracing.spans(), corpus.markers)).toEqual([]);

    const keySecret = corpus.text('kv key (recorded on purpose: proves the scanner)');
    await kv.get(keySecret);
    const span = tracing.tracer.startSpan(`op ${corpus.text('operation name')}`);
    span.log({ event: 'error', message: `failed for ${corpus.number('log field')}` });
    // Cut after the marker's first 10 core characters: still a leak.
    span.setTag('cut', capLength(`${corpus.text('capped tag')} and more text after it`, 28));
    span.finish();
    const leaks = scanForSecrets(tracing.spans(), corpus.markers);
    expect(new Set(leaks.map((l) => l.placement))).toEqual(
      new Set(['kv key (recorded on purpose: proves the scanner)', 'operation name', 'log field', 'capped tag']),
    );
    expect(leaks.map((l) => l.where)).toEqual(expect.arrayContaining(['name', 'tag.db.statement']));
    ledger.drain();
  });
});

describe('exits on its own', () => {
  it('a child doing traced work of every call style ends by itself', async () => {
    const outcome = await runChild<{ spans: number; unfinished: number }>(child('exit-clean.ts'), {
      deadlineMs: 20_000,
    });
    expect(outcome.stderr).not.toContain('forbidden');
    expect(outcome.exitedOnItsOwn).toBe(true);
    expect(outcome.code).toBe(0);
    expect(outcome.result).toEqual({ spans: 7, unfinished: 0 });
    recordFigure(FIGURE.NOT_EXITED, outcome.exitedOnItsOwn ? 0 : 1, SOURCE);
  });

  it('a child that leaves an interval behind is caught (killed at the deadline)', async () => {
    const outcome = await runChild(child('leaky.ts'), { deadlineMs: 2_000 });
    expect(outcome.result).toEqual({ leaked: 'interval' });
    expect(outcome.exitedOnItsOwn).toBe(false);
  });
});

afterAll(() => {
  const counts = ledger.counts();
  recordFigure(FIGURE.STARTED, counts.started - 1, `${SOURCE} (minus the one span left open on purpose)`);
  recordFigure(FIGURE.FINISHED, counts.finished, SOURCE);
  recordFigure(
    FIGURE.DOUBLE_FINISHED,
    counts.doubleFinished - 1,
    `${SOURCE} (minus the one double finish made on purpose)`,
  );
  recordFigure(FIGURE.UNFINISHED, counts.unfinished - 1, `${SOURCE} (minus the one span left open on purpose)`);
});
