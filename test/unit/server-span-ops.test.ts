import { Span } from 'opentracing';
import { describe, expect, it } from 'vitest';
import { setOperationNameSafely, traceIdOf } from '../../src/core/index.js';
import { createTestTracing } from '../helpers/tracing.js';

describe('span-ops used by server spans', () => {
  const tracing = createTestTracing();

  it('setOperationNameSafely renames; a throwing span is reported, not raised', () => {
    const span = tracing.tracer.startSpan('GET');
    setOperationNameSafely(span, 'GET /users/:id');
    span.finish();
    expect(tracing.one('GET /users/:id')).toBeDefined();
    const broken = new Span();
    broken.setOperationName = () => {
      throw new Error('nope');
    };
    const faults: string[] = [];
    expect(() => setOperationNameSafely(broken, 'x', (_e, source) => faults.push(source))).not.toThrow();
    expect(faults).toEqual(['span.setOperationName']);
  });

  it('traceIdOf: the tracer id; undefined for the no-op span or a throwing context', () => {
    const span = tracing.tracer.startSpan('s');
    expect(traceIdOf(span)).toBe(span.context().toTraceId());
    expect(traceIdOf(span)).toMatch(/^[0-9a-f]{32}$/);
    expect(traceIdOf(new Span())).toBeUndefined();
    const broken = new Span();
    broken.context = () => {
      throw new Error('nope');
    };
    const faults: string[] = [];
    expect(traceIdOf(broken, (_e, source) => faults.push(source))).toBeUndefined();
    expect(faults).toEqual(['span.context']);
    span.finish();
  });
});
