/**
 * Memory and exit with the real clients: every client's own code many thousands of times
 * (bounded in time on shared services), and one real client (ioredis) in a hot loop for the
 * issue's counts in `make stress` (1,000,000 calls with the no-op tracer, 200,000 with the
 * test tracer). The same rules hold: heap after GC grows < 5 MB, every span finishes once,
 * and the process exits on its own once the app closes its clients.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { servicesAvailable } from '../../helpers/services.js';
import { runChild } from '../lib/child.js';
import { FIGURE, HEAP_GROWTH_LIMIT_MB, recordFigure, scaled } from '../lib/figures.js';
import { MB } from '../lib/heap.js';
import type { LedgerCounts } from '../lib/ledger.js';

const SOURCE = 'memory (real clients)';
const script = fileURLToPath(new URL('./children/memory-clients.ts', import.meta.url));
const hotScript = fileURLToPath(new URL('./children/memory-redis.ts', import.meta.url));
const available = await servicesAvailable('pg', 'mysql', 'redis', 'amqp');

interface MemoryResult {
  readonly calls: number;
  readonly growthBytes: number;
  readonly counts: LedgerCounts;
}

describe.runIf(available).each([
  {
    name: 'every client, rounds',
    mode: 'noop',
    iterations: scaled(400, 5_000),
    figure: FIGURE.HEAP_GROWTH_NOOP,
    callsFigure: FIGURE.CALLS_NOOP,
    child: script,
  },
  {
    name: 'every client, rounds',
    mode: 'test',
    iterations: scaled(400, 5_000),
    figure: FIGURE.HEAP_GROWTH_TEST,
    callsFigure: FIGURE.CALLS_TEST,
    child: script,
  },
  // The counts on one real client in a hot loop: 1,000,000 / 200,000 traced calls.
  {
    name: 'ioredis hot loop, calls',
    mode: 'noop',
    iterations: scaled(50_000, 1_000_000),
    figure: FIGURE.HEAP_GROWTH_NOOP,
    callsFigure: FIGURE.CALLS_NOOP,
    child: hotScript,
  },
  {
    name: 'ioredis hot loop, calls',
    mode: 'test',
    iterations: scaled(20_000, 200_000),
    figure: FIGURE.HEAP_GROWTH_TEST,
    callsFigure: FIGURE.CALLS_TEST,
    child: hotScript,
  },
])('real clients ($name): $iterations with the $mode tracer', ({ mode, iterations, figure, callsFigure, child }) => {
  it(`heap after GC grows < ${HEAP_GROWTH_LIMIT_MB} MB, spans finish once, the process exits on its own`, async () => {
    const outcome = await runChild<MemoryResult>(child, {
      args: [mode, String(iterations)],
      deadlineMs: 300_000,
    });
    const result = outcome.result;
    expect(result, outcome.stderr.slice(-2000)).toBeDefined();
    if (result === undefined) return;
    const growthMb = result.growthBytes / MB;
    recordFigure(figure, Number(growthMb.toFixed(3)), `${SOURCE}, ${result.calls} calls`);
    recordFigure(callsFigure, result.calls, SOURCE);
    recordFigure(FIGURE.NOT_EXITED, outcome.exitedOnItsOwn ? 0 : 1, `${SOURCE}, ${mode}`);
    recordFigure(FIGURE.STARTED, result.counts.started, `${SOURCE}, ${mode}`);
    recordFigure(FIGURE.FINISHED, result.counts.finished, `${SOURCE}, ${mode}`);
    recordFigure(FIGURE.DOUBLE_FINISHED, result.counts.doubleFinished, `${SOURCE}, ${mode}`);
    recordFigure(FIGURE.UNFINISHED, result.counts.unfinished, `${SOURCE}, ${mode}`);
    expect(growthMb).toBeLessThan(HEAP_GROWTH_LIMIT_MB);
    expect(outcome.exitedOnItsOwn).toBe(true);
    expect(outcome.code).toBe(0);
    expect(result.counts.doubleFinished).toBe(0);
    expect(result.counts.unfinished).toBe(0);
  });
});
