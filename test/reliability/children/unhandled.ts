/**
 * Child that proves the watchdog sees what it must: one unhandled rejection and one uncaught
 * exception (caught by a last-resort handler so the child can report).
 */
import { reportResult } from '../lib/child.js';
import { startWatchdog } from '../lib/watchdog.js';

const watchdog = startWatchdog();
process.on('uncaughtException', () => {});
Promise.reject(new Error('nobody handles me'));
setTimeout(() => {
  throw new Error('nobody catches me');
}, 1);
const report = await new Promise<ReturnType<typeof watchdog.report>>((resolve) =>
  setTimeout(() => resolve(watchdog.stop()), 30),
);
reportResult({ rejections: report.unhandledRejections.length, exceptions: report.uncaughtExceptions.length });
