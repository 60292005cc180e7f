/**
 * Isolation under load: N concurrent inbound requests (500 in `make test`, 5,000 in
 * `make stress`) through the node:http adapter, each calling pg, mysql2, Redis, DynamoDB,
 * fetch and an AMQP round trip in parallel. Every span must sit in its own request's trace
 * under the right parent, every span started must be finished exactly once, the handler must
 * get the raw clients' results, and nothing may escape as an unhandled rejection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configure, resetConfig } from '../../../src/index.js';
import { servicesAvailable } from '../../helpers/services.js';
import { createTestTracing } from '../../helpers/tracing.js';
import { FIGURE, recordFigure, scaled } from '../lib/figures.js';
import { SpanLedger } from '../lib/ledger.js';
import { sendLoad } from '../lib/load.js';
import { quiesce, startWatchdog } from '../lib/watchdog.js';
import { type App, startApp } from './lib/app.js';
import { appParentCheck } from './lib/check.js';

const SOURCE = 'isolation under load';
const available = await servicesAvailable('pg', 'mysql', 'redis', 'amqp');
const N = scaled(500, 5000);

describe.runIf(available)(`isolation: ${N} concurrent requests, each using every client`, () => {
  const tracing = createTestTracing();
  const ledger = new SpanLedger(tracing);
  const faults: string[] = [];
  let app: App;

  beforeAll(async () => {
    configure({ tracer: tracing.tracer, onInstrumentationError: (_e, source) => faults.push(source) });
    app = await startApp();
    ledger.drain(); // setup spans (CreateTable) are not part of the load
  });
  afterAll(async () => {
    await app?.close();
    resetConfig();
  });

  it('every span is in its own request trace with the right parent, and finished exactly once', async () => {
    const watchdog = startWatchdog();
    const started = performance.now();
    const sent = await sendLoad({ port: app.port, path: (id) => `/r/${id}`, count: N, sockets: 256 });
    const seconds = (performance.now() - started) / 1000;
    await quiesce(100);
    const report = await watchdog.stop();

    // The handler saw exactly what the raw clients give: each value is its own request id.
    const wrongResults = sent.filter((s) => {
      if (s.status !== 200) return true;
      const body = JSON.parse(s.body) as Record<string, unknown>;
      return Object.values(body).some((v) => v !== s.id);
    });

    const spans = ledger.drain();
    const check = appParentCheck(spans, sent, app.peerTraceparents);
    const parents = ledger.checkParents(spans, check.expected);
    const counts = ledger.counts();
    const misparented = parents.misparented + check.otherProblems.length;
    const checked = parents.checked + check.untaggedChecked;

    console.log(
      `isolation: ${N} requests in ${seconds.toFixed(1)} s; spans checked / misparented: ${checked} / ${misparented}; ` +
        `started ${counts.started} finished ${counts.finished} double ${counts.doubleFinished} unfinished ${counts.unfinished}`,
    );
    recordFigure(FIGURE.SPANS_CHECKED, checked, SOURCE);
    recordFigure(FIGURE.MISPARENTED, misparented, SOURCE);
    recordFigure(FIGURE.STARTED, counts.started, SOURCE);
    recordFigure(FIGURE.FINISHED, counts.finished, SOURCE);
    recordFigure(FIGURE.DOUBLE_FINISHED, counts.doubleFinished, SOURCE);
    recordFigure(FIGURE.UNFINISHED, counts.unfinished, SOURCE);
    recordFigure(FIGURE.CRASHES, report.crashes, SOURCE);

    expect(wrongResults.map((s) => `${s.id}: ${s.status} ${s.body || String(s.error)}`).slice(0, 5)).toEqual([]);
    expect(report.crashes).toBe(0);
    expect(check.incomplete.slice(0, 5)).toEqual([]);
    expect([...parents.examples, ...check.otherProblems].slice(0, 5)).toEqual([]);
    expect(misparented).toBe(0);
    // 1 server span + pg + mysql2 + 2 redis + 2 dynamodb + fetch + publish + consume per request.
    expect(checked).toBeGreaterThanOrEqual(N * 10);
    expect(counts.doubleFinished).toBe(0);
    expect(counts.unfinished).toBe(0);
    expect(faults).toEqual([]);
  });
});
