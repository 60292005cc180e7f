import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getCurrentSpan } from '../../src/context/index.js';
import { configure, Instrumentation, resetConfig, SpanSettler } from '../../src/core/index.js';
import { runInSpan } from '../../src/core/run-in-span.js';
import { createTestTracing, errorLog } from '../helpers/tracing.js';

const tracing = createTestTracing();

beforeEach(() => {
  tracing.reset();
  configure({ tracer: tracing.tracer });
});
afterEach(() => resetConfig());

function settler(): SpanSettler<unknown> {
  const instrumentation = new Instrumentation({ component: 'test' });
  const span = instrumentation.start('handler');
  if (span === undefined) throw new Error('no span');
  return new SpanSettler(instrumentation, span);
}

async function withoutVitestRejectionListeners<T>(fn: (onRejection: Promise<unknown>) => Promise<T>): Promise<T> {
  const saved = process.listeners('unhandledRejection');
  process.removeAllListeners('unhandledRejection');
  try {
    const onRejection = new Promise<unknown>((resolve) => process.once('unhandledRejection', resolve));
    return await fn(onRejection);
  } finally {
    process.removeAllListeners('unhandledRejection');
    for (const listener of saved) process.on('unhandledRejection', listener);
  }
}

describe('runInSpan', () => {
  it('makes the span current, passes this and arguments, and returns the very result', () => {
    const s = settler();
    const self = { name: 'self' };
    const result = { ok: true };
    let seen: unknown[] = [];
    const returned = runInSpan(
      s,
      function (this: unknown, ...args: unknown[]) {
        seen = [this, args, getCurrentSpan()];
        return result;
      },
      self,
      [1, 2],
    );
    expect(returned).toBe(result);
    expect(seen).toEqual([self, [1, 2], s.span]);
    expect(getCurrentSpan()).toBeUndefined();
    expect(tracing.one('handler').error).toBe(false);
    tracing.expectAllFinishedOnce();
  });

  it('a throw is recorded and re-thrown unchanged', () => {
    const error = new Error('sync');
    expect(() =>
      runInSpan(
        settler(),
        () => {
          throw error;
        },
        undefined,
        [],
      ),
    ).toThrow(error);
    expect(errorLog(tracing.one('handler'))).toMatchObject({ 'exception.message': 'sync' });
    tracing.expectAllFinishedOnce();
  });

  it('a promise settles the span when it settles and stays the same object', async () => {
    let inside: unknown;
    const promise = runInSpan(
      settler(),
      async () => {
        await new Promise((r) => setTimeout(r, 2));
        inside = getCurrentSpan();
        return 7;
      },
      undefined,
      [],
    );
    expect(tracing.spans()).toHaveLength(0);
    expect(await promise).toBe(7);
    await new Promise((r) => setTimeout(r, 0));
    expect(inside).toBeDefined();
    expect(tracing.one('handler').error).toBe(false);
  });

  it('observed: a rejection is recorded and left to the awaiting caller', async () => {
    const error = new Error('observed');
    const promise = runInSpan(settler(), () => Promise.reject(error), undefined, []);
    await expect(promise).rejects.toBe(error);
    expect(tracing.one('handler').error).toBe(true);
  });

  it('unobserved: a rejection is recorded and still reaches unhandledRejection with the same reason', async () => {
    const error = new Error('nobody awaits me');
    const reason = await withoutVitestRejectionListeners(async (onRejection) => {
      runInSpan(settler(), async () => Promise.reject(error), undefined, [], { unobserved: true });
      return onRejection;
    });
    expect(reason).toBe(error);
    expect(tracing.one('handler').error).toBe(true);
    tracing.expectAllFinishedOnce();
  });

  it('unobserved: a fulfilled promise finishes the span without any rejection', async () => {
    const promise = runInSpan(settler(), async () => 'fine', undefined, [], { unobserved: true });
    expect(await promise).toBe('fine');
    await new Promise((r) => setTimeout(r, 0));
    expect(tracing.one('handler').error).toBe(false);
  });

  it('a thenable whose then throws fails the span instead of throwing', () => {
    const broken = {
      // biome-ignore lint/suspicious/noThenProperty: a broken thenable on purpose.
      then() {
        throw new Error('broken then');
      },
    };
    for (const options of [undefined, { unobserved: true }]) {
      expect(runInSpan(settler(), () => broken, undefined, [], options)).toBe(broken);
    }
    expect(tracing.named('handler').map((s) => s.error)).toEqual([true, true]);
  });
});
