/** Runs `op` for a fixed time with `concurrency` operations in flight; returns how many completed. */
export async function runFor(op: () => Promise<unknown>, concurrency: number, durationMs: number): Promise<number> {
  const deadline = performance.now() + durationMs;
  let ops = 0;
  const lane = async (): Promise<void> => {
    while (performance.now() < deadline) {
      await op();
      ops++;
    }
  };
  const lanes: Promise<void>[] = [];
  for (let i = 0; i < concurrency; i++) lanes.push(lane());
  await Promise.all(lanes);
  return ops;
}

/** Runs `op` exactly `count` times with `concurrency` operations in flight. */
export async function runCount(op: () => Promise<unknown>, concurrency: number, count: number): Promise<void> {
  let issued = 0;
  const lane = async (): Promise<void> => {
    while (issued < count) {
      issued++;
      await op();
    }
  };
  const lanes: Promise<void>[] = [];
  for (let i = 0; i < concurrency; i++) lanes.push(lane());
  await Promise.all(lanes);
}
