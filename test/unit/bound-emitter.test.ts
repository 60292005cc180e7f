import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { Span } from 'opentracing';
import { describe, expect, it } from 'vitest';
import { getCurrentSpan, spanInContext } from '../../src/context/index.js';
import { untraced, withBoundListeners } from '../../src/core/index.js';
import { createTestTracing } from '../helpers/tracing.js';

const tracing = createTestTracing();
const span = (name: string): Span => tracing.tracer.startSpan(name);

describe('withBoundListeners', () => {
  it('runs every kind of listener in the context it was added in, not the emitter’s', () => {
    const raw = new EventEmitter();
    const emitter = withBoundListeners(raw);
    const caller = span('caller');
    const seen: [string, Span | undefined][] = [];
    spanInContext(caller, () => {
      emitter.on('x', () => seen.push(['on', getCurrentSpan()]));
      emitter.addListener('x', () => seen.push(['addListener', getCurrentSpan()]));
      emitter.prependListener('x', () => seen.push(['prependListener', getCurrentSpan()]));
      emitter.once('x', () => seen.push(['once', getCurrentSpan()]));
      emitter.prependOnceListener('x', () => seen.push(['prependOnceListener', getCurrentSpan()]));
    });
    spanInContext(span('driver'), () => raw.emit('x'));
    raw.emit('x');
    expect(seen.map(([kind]) => kind)).toEqual([
      'prependOnceListener',
      'prependListener',
      'on',
      'addListener',
      'once',
      'prependListener',
      'on',
      'addListener',
    ]);
    expect(seen.every(([, current]) => current === caller)).toBe(true);
  });

  it('passes arguments and this through, and returns the proxy from chained calls', () => {
    const raw = new EventEmitter();
    const emitter = withBoundListeners(raw);
    let got: unknown[] = [];
    let self: unknown;
    const chained = emitter.on('data', function (this: unknown, ...args: unknown[]) {
      got = args;
      self = this;
    });
    expect(chained).toBe(emitter);
    raw.emit('data', 1, 'two');
    expect(got).toEqual([1, 'two']);
    expect(self).toBe(raw);
  });

  it('removeListener/off with the user’s function, and listeners(), work as if added directly', () => {
    const raw = new EventEmitter();
    const emitter = withBoundListeners(raw);
    const a = () => {};
    const b = () => {};
    emitter.on('x', a);
    emitter.once('x', b);
    expect(emitter.listeners('x')).toEqual([a, b]);
    emitter.off('x', a);
    emitter.removeListener('x', b);
    expect(raw.listenerCount('x')).toBe(0);
  });

  it('an invalid listener throws the same error as untraced', () => {
    const emitter = withBoundListeners(new EventEmitter());
    expect(() => emitter.on('x', 42 as never)).toThrow(/"listener" argument must be of type function/);
  });

  it('keeps the type and gives the original back; streams keep working through it', async () => {
    const raw = new PassThrough({ objectMode: true });
    const stream = withBoundListeners(raw);
    expect(stream).toBeInstanceOf(PassThrough);
    expect(untraced(stream)).toBe(raw);
    const caller = span('caller');
    const rows: [unknown, Span | undefined][] = [];
    const ended = new Promise<void>((resolve) =>
      spanInContext(caller, () => {
        stream.on('data', (row: unknown) => rows.push([row, getCurrentSpan()]));
        stream.on('end', resolve);
      }),
    );
    spanInContext(span('driver'), () => {
      raw.write('a');
      raw.end('b');
    });
    await ended;
    expect(rows).toEqual([
      ['a', caller],
      ['b', caller],
    ]);
  });
});
