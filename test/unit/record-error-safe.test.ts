import { afterEach, describe, expect, it } from 'vitest';
import { configure, recordError, resetConfig } from '../../src/core/index.js';
import { createTestTracing, errorLog } from '../helpers/tracing.js';

afterEach(() => resetConfig());

describe('recordError with a cleaned message', () => {
  it('logs the cleaned message, rewrites the stack header and leaves error.object out', () => {
    const tracing = createTestTracing();
    const logged: Record<string, unknown>[] = [];
    const span = tracing.tracer.startSpan('op');
    const log = span.log.bind(span);
    span.log = (fields) => {
      logged.push(fields);
      return log(fields);
    };
    const error = Object.assign(new Error("Duplicate entry 'SECRET-1' for key 'email'"), { code: 'ER_DUP_ENTRY' });
    recordError(span, error, { message: 'Duplicate entry ? for key ?' });
    span.finish();
    expect(logged).toHaveLength(1);
    expect(logged[0]).not.toHaveProperty('error.object');
    expect(JSON.stringify(logged)).not.toContain('SECRET-1');
    expect(String(logged[0]?.stack)).toMatch(/^Error: Duplicate entry \? for key \?\n {4}at /);
    const recorded = errorLog(tracing.one('op'));
    expect(recorded).toMatchObject({
      'exception.type': 'ER_DUP_ENTRY',
      'exception.message': 'Duplicate entry ? for key ?',
    });
    expect(JSON.stringify(recorded)).not.toContain('SECRET-1');
  });

  it('never logs error.object by default: tracers serialize it, and driver errors carry user data', () => {
    const tracing = createTestTracing();
    const logged: Record<string, unknown>[] = [];
    const span = tracing.tracer.startSpan('op');
    span.log = (fields) => {
      logged.push(fields);
      return span;
    };
    const error = Object.assign(new Error('WRONGTYPE Operation against a key'), {
      command: { name: 'set', args: ['k', 'SECRET-2'] },
    });
    recordError(span, error);
    expect(logged[0]).not.toHaveProperty('error.object');
    expect(JSON.stringify(logged)).not.toContain('SECRET-2');
    expect(logged[0]).toMatchObject({ event: 'error', message: 'WRONGTYPE Operation against a key' });
    expect(logged[0]?.stack).toBe(error.stack);
  });

  it('with recordErrorObjects, keeps error.object and the stack when no message or the same message is given', () => {
    configure({ recordErrorObjects: true });
    const tracing = createTestTracing();
    const logged: Record<string, unknown>[] = [];
    const span = tracing.tracer.startSpan('op');
    span.log = (fields) => {
      logged.push(fields);
      return span;
    };
    const error = new Error('plain');
    recordError(span, error);
    recordError(span, error, { message: 'plain' });
    expect(logged[0]?.['error.object']).toBe(error);
    expect(logged[1]?.['error.object']).toBe(error);
    expect(logged[1]?.stack).toBe(error.stack);
  });
});
