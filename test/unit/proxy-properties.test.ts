import { describe, expect, it } from 'vitest';
import { tracedProxy, untraced } from '../../src/core/index.js';

class Holder {
  stack = { name: 'real', items: [] as string[] };
  count = 3;
  nothing: object | null = null;
  hello(): string {
    return 'hi';
  }
}

describe('tracedProxy property views', () => {
  it('returns the view of an object-valued property, the same view on every read', () => {
    const raw = new Holder();
    let built = 0;
    const traced = tracedProxy(
      raw,
      {},
      {
        stack: (value) => {
          built++;
          return { view: true, of: value };
        },
      },
    );
    const first = traced.stack as unknown as { view: boolean; of: unknown };
    expect(first.view).toBe(true);
    expect(first.of).toBe(raw.stack);
    expect(traced.stack).toBe(first);
    expect(built).toBe(1);
    expect(untraced(traced)).toBe(raw);
  });

  it('builds a new view when the real value is replaced; leaves other properties alone', () => {
    const raw = new Holder();
    const traced = tracedProxy(raw, {}, { stack: (value) => ({ of: value }), nothing: (value) => ({ of: value }) });
    const before = traced.stack;
    const replacement = { name: 'new', items: [] };
    traced.stack = replacement;
    expect(raw.stack).toBe(replacement);
    expect((traced.stack as unknown as { of: unknown }).of).toBe(replacement);
    expect(traced.stack).not.toBe(before);
    expect(traced.count).toBe(3);
    expect(traced.nothing).toBeNull();
    expect(traced.hello()).toBe('hi');
  });

  it('keeps read-only, non-configurable properties as they are (Proxy invariant)', () => {
    const raw = new Holder();
    const fixed = { frozen: true };
    Object.defineProperty(raw, 'stack', { value: fixed, writable: false, configurable: false });
    const traced = tracedProxy(raw, {}, { stack: () => ({ view: true }) });
    expect(traced.stack).toBe(fixed);
  });
});
