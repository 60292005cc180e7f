/**
 * Watches the process for what would take an app down: unhandled rejections and uncaught
 * exceptions. It only observes (`uncaughtExceptionMonitor` does not change Node's own
 * handling), so a crash still crashes; the counts say what happened.
 */

export interface WatchdogReport {
  readonly unhandledRejections: readonly unknown[];
  readonly uncaughtExceptions: readonly unknown[];
  /** Both together. */
  readonly crashes: number;
}

export interface Watchdog {
  /** What was seen so far. */
  report(): WatchdogReport;
  /** Lets pending rejections surface (they are reported after the microtask queue drains), then reports and stops. */
  stop(): Promise<WatchdogReport>;
}

/** Lets queued rejections and `setImmediate`/timer callbacks run before counting. */
export async function quiesce(ms = 20): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setTimeout(resolve, ms));
  await new Promise((resolve) => setImmediate(resolve));
}

export function startWatchdog(): Watchdog {
  const unhandledRejections: unknown[] = [];
  const uncaughtExceptions: unknown[] = [];
  const onRejection = (reason: unknown) => unhandledRejections.push(reason);
  const onException = (error: unknown) => uncaughtExceptions.push(error);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtExceptionMonitor', onException);
  const report = (): WatchdogReport => ({
    unhandledRejections: [...unhandledRejections],
    uncaughtExceptions: [...uncaughtExceptions],
    crashes: unhandledRejections.length + uncaughtExceptions.length,
  });
  return {
    report,
    async stop() {
      await quiesce();
      process.removeListener('unhandledRejection', onRejection);
      process.removeListener('uncaughtExceptionMonitor', onException);
      return report();
    },
  };
}
