import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it } from 'vitest';
import { configure, isTraced, resetConfig, tracedProxy, untraced } from '../../src/core/index.js';
import { KvClient, tracedKv } from '../helpers/kv-client.js';
import { createTestTracing } from '../helpers/tracing.js';

const tracing = createTestTracing();
beforeEach(() => {
  tracing.reset();
  resetConfig();
  configure({ tracer: tracing.tracer });
});

class Counter extends EventEmitter {
  #count = 0;
  static created = 0;
  label = 'counter';
  get count(): number {
    return this.#count;
  }
  set count(value: number) {
    this.#count = value;
  }
  increment(): number {
    this.#count++;
    return this.#count;
  }
  reset(): this {
    this.#count = 0;
    return this;
  }
}

const traceIncrement = <T extends Counter>(counter: T): T =>
  tracedProxy(counter, {
    increment: (original, target) => () => `traced:${original.call(target)}`,
  });

describe('tracedProxy', () => {
  it('keeps the type, the prototype and instanceof', () => {
    const counter = new Counter();
    const traced = traceIncrement(counter);
    expect(traced).toBeInstanceOf(Counter);
    expect(traced).toBeInstanceOf(EventEmitter);
    expect(Object.getPrototypeOf(traced)).toBe(Counter.prototype);
    expect(traced.constructor).toBe(Counter);
  });

  it('runs traced and untouched methods, getters and setters on the real object (#private works)', () => {
    const traced = traceIncrement(new Counter());
    expect(traced.increment()).toBe('traced:1');
    traced.count = 10;
    expect(traced.count).toBe(10);
    expect(traced.reset().count).toBe(0);
  });

  it('returns the same function when a method is read twice', () => {
    const traced = traceIncrement(new Counter());
    expect(traced.increment).toBe(traced.increment);
    expect(traced.on).toBe(traced.on);
    expect(traced.reset).toBe(traced.reset);
  });

  it('a method that returns the object returns the proxy, so chains stay traced', () => {
    const traced = traceIncrement(new Counter());
    expect(traced.reset()).toBe(traced);
    expect(traced.on('x', () => {})).toBe(traced);
  });

  it('leaves plain properties, symbols and untouched state alone', () => {
    const counter = new Counter();
    const traced = traceIncrement(counter);
    expect(traced.label).toBe('counter');
    traced.label = 'renamed';
    expect(counter.label).toBe('renamed');
    expect(Object.keys(traced)).toEqual(Object.keys(counter));
    expect('increment' in traced).toBe(true);
  });

  it('is idempotent, and untraced gives the original back', () => {
    const counter = new Counter();
    const traced = traceIncrement(counter);
    expect(traceIncrement(traced)).toBe(traced);
    expect(untraced(traced)).toBe(counter);
    expect(untraced(counter)).toBe(counter);
    expect(untraced(42)).toBe(42);
    expect(untraced(null)).toBe(null);
    expect(isTraced(traced)).toBe(true);
    expect(isTraced(counter)).toBe(false);
  });

  it('picks up a method replaced on the real object after wrapping', () => {
    const counter = new Counter();
    const traced = traceIncrement(counter);
    const before = traced.increment;
    counter.increment = () => 100;
    expect(traced.increment).not.toBe(before);
    expect(traced.increment()).toBe('traced:100');
  });

  it('respects the Proxy invariant for read-only, non-configurable methods', () => {
    const frozen = Object.freeze({ increment: () => 1, other: () => 2 });
    const traced = tracedProxy(frozen, {
      increment: (original) => () => original() + 1,
    });
    expect(traced.increment).toBe(frozen.increment);
    expect(traced.other).toBe(frozen.other);
  });

  it('keeps classes stored on the object constructible', () => {
    class Inner {
      readonly made = true;
    }
    const holder = { Inner, make: () => new Inner() };
    const traced = tracedProxy(holder, {});
    expect(new traced.Inner().made).toBe(true);
    expect(traced.Inner).toBe(Inner);
  });

  it('keeps name and length of untouched methods', () => {
    const traced = traceIncrement(new Counter());
    expect(traced.reset.name).toBe('reset');
    expect(traced.emit.length).toBe(new Counter().emit.length);
  });
});

describe('handed-out objects', () => {
  it('come back traced, once per object, with the same options', async () => {
    const kv = tracedKv(new KvClient(), { tags: { team: 'a' } });
    const session = kv.session();
    expect(kv.session()).toBe(session);
    expect(isTraced(session)).toBe(true);
    expect(untraced(session)).toBe(untraced(kv).session());
    await session.set('x', '1');
    expect(tracing.one('kv:set').tags).toMatchObject({ team: 'a' });
  });
});
