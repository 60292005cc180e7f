import { describe, expect, it } from 'vitest';
import { runCount, runFor } from '../../bench/lib/loop.js';

describe('runFor', () => {
  it('keeps exactly `concurrency` operations in flight and counts every completed one', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let completed = 0;
    const op = async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight--;
      completed++;
    };
    const ops = await runFor(op, 8, 60);
    expect(maxInFlight).toBe(8);
    expect(inFlight).toBe(0);
    expect(ops).toBe(completed);
    expect(ops).toBeGreaterThan(8);
  });

  it('runs sequentially with concurrency 1 and stops after the duration', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const started = performance.now();
    await runFor(
      async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await Promise.resolve();
        inFlight--;
      },
      1,
      30,
    );
    expect(maxInFlight).toBe(1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(29);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('runCount', () => {
  it('runs the op exactly `count` times, `concurrency` at a time', async () => {
    let calls = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    await runCount(
      async () => {
        calls++;
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
      },
      16,
      1000,
    );
    expect(calls).toBe(1000);
    expect(maxInFlight).toBe(16);
  });
});
