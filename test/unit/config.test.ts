import { afterEach, describe, expect, it } from 'vitest';
import { configure, DEFAULT_SECRET_QUERY_PARAMS, getConfig, resetConfig } from '../../src/core/index.js';

afterEach(() => resetConfig());

describe('configure', () => {
  it('starts from the documented defaults', () => {
    expect(getConfig()).toMatchObject({
      callerNameHeaders: [],
      calleeNameHeaders: [],
      calleeEndpointHeaders: [],
      requireParentSpan: false,
      tracer: undefined,
      maxStatementLength: 2048,
      secretQueryParams: DEFAULT_SECRET_QUERY_PARAMS,
      recordErrorObjects: false,
    });
  });

  it('merges: keys not given keep their value; header names are lower-cased', () => {
    configure({ calleeNameHeaders: ['X-Service-Name'] });
    configure({ maxStatementLength: 512 });
    expect(getConfig().calleeNameHeaders).toEqual(['x-service-name']);
    expect(getConfig().maxStatementLength).toBe(512);
  });

  it('an undefined value puts the default back', () => {
    configure({ maxStatementLength: 100 });
    configure({ maxStatementLength: undefined });
    expect(getConfig().maxStatementLength).toBe(2048);
  });

  it('returns a frozen config that cannot be changed behind its back', () => {
    const config = configure({ callerNameHeaders: ['a'] });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.callerNameHeaders)).toBe(true);
  });

  it.each([
    [{ callerNameHeaders: 'x-caller' }, /callerNameHeaders must be an array of header names, got "x-caller"/],
    [{ calleeNameHeaders: [''] }, /calleeNameHeaders must be an array of header names/],
    [{ maxStatementLength: 3 }, /maxStatementLength must be an integer >= 16, got number/],
    [{ requireParentSpan: 'yes' }, /requireParentSpan must be a boolean/],
    [{ recordErrorObjects: 1 }, /recordErrorObjects must be a boolean/],
    [{ onInstrumentationError: 1 }, /onInstrumentationError must be a function/],
    [{ tracer: {} }, /tracer must be an OpenTracing Tracer/],
    [{ secretQueryParams: [1] }, /secretQueryParams must be an array of strings and RegExps/],
    [{ nonsense: true }, /unknown option "nonsense"/],
  ])('rejects %o with a clear TypeError and changes nothing', (options, message) => {
    const before = getConfig();
    expect(() => configure(options as never)).toThrow(message);
    expect(getConfig()).toBe(before);
  });

  it('rejects a non-object', () => {
    expect(() => configure(null as never)).toThrow(/expects an options object/);
  });
});
