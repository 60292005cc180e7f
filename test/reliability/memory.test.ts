/**
 * Memory and exit, on the kv stand-in client through the core (the real clients run the same
 * check in clients/memory.test.ts once merged). Each run is a child process with
 * `--expose-gc`: heap after GC is measured after a warm-up and after the calls, and the child
 * must then end by itself (no timer, listener or handle left behind).
 *
 * Counts: `make stress` runs the 1,000,000 calls with the no-op tracer and 200,000
 * with the test tracer (spans drained every 1,000 calls, as an exporter would); `make test`
 * runs a tenth of that to stay fast.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runChild } from './lib/child.js';
import { FIGURE, HEAP_GROWTH_LIMIT_MB, recordFigure, scaled } from './lib/figures.js';
import { MB } from './lib/heap.js';
import type { LedgerCounts } from './lib/ledger.js';

const SOURCE = 'memory (kv stand-in)';
const script = fileURLToPath(new URL('./children/memory-kv.ts', import.meta.url));

interface MemoryResult {
  readonly calls: number;
  readonly growthBytes: number;
  readonly counts: LedgerCounts;
  readonly activeResources: readonly string[];
}

describe.each([
  { mode: 'noop', calls: scaled(100_000, 1_000_000), figure: FIGURE.HEAP_GROWTH_NOOP, callsFigure: FIGURE.CALLS_NOOP },
  { mode: 'test', calls: scaled(20_000, 200_000), figure: FIGURE.HEAP_GROWTH_TEST, callsFigure: FIGURE.CALLS_TEST },
])('$calls calls with the $mode tracer', ({ mode, calls, figure, callsFigure }) => {
  it(`heap after GC grows by less than ${HEAP_GROWTH_LIMIT_MB} MB, every span finishes once, the process exits on its own`, async () => {
    const outcome = await runChild<MemoryResult>(script, { args: [mode, String(calls)], deadlineMs: 240_000 });
    expect(outcome.stderr).not.toContain('forbidden');
    const result = outcome.result;
    expect(result, outcome.stderr).toBeDefined();
    if (result === undefined) return;
    const growthMb = result.growthBytes / MB;
    recordFigure(figure, Number(growthMb.toFixed(3)), `${SOURCE}, ${result.calls} calls`);
    recordFigure(callsFigure, result.calls, SOURCE);
    recordFigure(FIGURE.NOT_EXITED, outcome.exitedOnItsOwn ? 0 : 1, `${SOURCE}, ${mode}`);
    recordFigure(FIGURE.STARTED, result.counts.started, `${SOURCE}, ${mode}`);
    recordFigure(FIGURE.FINISHED, result.counts.finished, `${SOURCE}, ${mode}`);
    recordFigure(FIGURE.DOUBLE_FINISHED, result.counts.doubleFinished, `${SOURCE}, ${mode}`);
    recordFigure(FIGURE.UNFINISHED, result.counts.unfinished, `${SOURCE}, ${mode}`);

    expect(result.calls).toBe(calls);
    expect(growthMb).toBeLessThan(HEAP_GROWTH_LIMIT_MB);
    expect(outcome.exitedOnItsOwn).toBe(true);
    expect(outcome.code).toBe(0);
    expect(result.counts.doubleFinished).toBe(0);
    expect(result.counts.unfinished).toBe(0);
    if (mode === 'noop') expect(result.counts.started).toBe(0);
    else {
      // Every call is a span (warm-up included), plus one parent span per batch of 1,000.
      expect(result.counts.started).toBeGreaterThan(calls + calls / 1000);
      expect(result.counts.finished).toBe(result.counts.started);
    }
  });
});
