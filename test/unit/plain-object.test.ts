import { describe, expect, it } from 'vitest';
import { copyWith, extensibleCopy, isPlainObject } from '../../src/core/plain-object.js';

const marker = Symbol('marker');

describe('extensibleCopy', () => {
  it('copies what a spread copies: own enumerable keys and symbols, in order, not inherited ones', () => {
    const proto = { inherited: 1 };
    const source = Object.assign(Object.create(proto) as Record<PropertyKey, unknown>, { b: 2, a: 1, [marker]: 'm' });
    Object.defineProperty(source, 'hidden', { value: 3, enumerable: false });
    const copy = extensibleCopy(source);
    expect(copy).toEqual({ ...source });
    expect(Reflect.ownKeys(copy)).toEqual(Reflect.ownKeys({ ...source }));
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(copy).not.toBe(source);
  });

  it('keeps an own __proto__ key (from JSON.parse) as a property, as a spread does', () => {
    const source = JSON.parse('{"__proto__": {"polluted": true}, "accept": "a"}') as object;
    const copy = extensibleCopy(source);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.hasOwn(copy, '__proto__')).toBe(true);
    expect((copy as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Reflect.ownKeys(copy)).toEqual(Reflect.ownKeys({ ...source }));
  });

  it('gives a plain object for a null-prototype source, as a spread does', () => {
    const source = Object.assign(Object.create(null) as object, { a: 1 });
    expect(isPlainObject(extensibleCopy(source))).toBe(true);
    expect(Object.getPrototypeOf(extensibleCopy(source))).toBe(Object.prototype);
  });
});

describe('copyWith', () => {
  it('equals { ...source, [key]: value }, keys in the same order, whether or not the key was there', () => {
    const without = { method: 'GET', path: '/' };
    const withKey = { headers: { a: '1' }, method: 'GET' };
    for (const source of [without, withKey]) {
      const copy = copyWith(source, 'headers', { b: '2' });
      expect(copy).toEqual({ ...source, headers: { b: '2' } });
      expect(Reflect.ownKeys(copy)).toEqual(Reflect.ownKeys({ ...source, headers: 0 }));
    }
    expect(without).toEqual({ method: 'GET', path: '/' });
    expect(withKey).toEqual({ headers: { a: '1' }, method: 'GET' });
  });
});
