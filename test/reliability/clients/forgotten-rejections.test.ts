/**
 * A rejection the caller forgets must reach Node as it does without tracing: watching a
 * promise for the span marks it handled, which would swallow the very failure that, by
 * Node's default, ends the process. Checked per promise client in a child process (an
 * unhandled rejection is process-wide): raw, traced, and traced with the rejection handled.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { servicesAvailable } from '../../helpers/services.js';
import { runChild } from '../lib/child.js';
import type { Mode, Report } from './children/forgotten-rejections.js';

const script = fileURLToPath(new URL('./children/forgotten-rejections.ts', import.meta.url));
const available = await servicesAvailable('pg', 'mysql', 'redis', 'amqp');

const CLIENTS = ['pg', 'pg connect', 'mysql2', 'ioredis', 'DynamoDB', 'amqplib', 'fetch', 'tracedFunction'] as const;

describe.runIf(available)('a rejected call the caller never handles', () => {
  let results: Record<string, Record<Mode, Report>> | undefined;
  async function outcome(): Promise<Record<string, Record<Mode, Report>>> {
    if (results === undefined) {
      const child = await runChild<Record<string, Record<Mode, Report>>>(script, { deadlineMs: 120_000 });
      expect(child.result, child.stderr.slice(-2000)).toBeDefined();
      expect(child.exitedOnItsOwn).toBe(true);
      results = child.result ?? {};
    }
    return results;
  }

  it.each(CLIENTS)(
    '%s: reported once, for the promise the caller holds, with the raw error; the span records it',
    async (client) => {
      const { raw, traced } = (await outcome())[client] as Record<Mode, Report>;
      expect(raw).toMatchObject({ reported: 1, samePromise: true, spans: 0 });
      expect(traced).toEqual({ ...raw, spans: 1, errorSpans: 1 });
    },
  );

  it.each(CLIENTS)('%s: reported never when the caller handles it, who gets the raw error', async (client) => {
    const { raw, 'traced, handled': handled } = (await outcome())[client] as Record<Mode, Report>;
    expect(handled).toEqual({ reported: 0, samePromise: false, reason: raw.reason, spans: 1, errorSpans: 1 });
  });
});
