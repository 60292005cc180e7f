/**
 * Heap measured after garbage collection (needs `--expose-gc`, which `runChild` passes).
 * Several collections with turns of the event loop in between, so finalizers, weak maps and
 * microtasks released by one collection are collected by the next.
 */

export async function heapAfterGc(rounds = 4): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('heapAfterGc needs node --expose-gc');
  for (let i = 0; i < rounds; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

export const MB = 1024 * 1024;
