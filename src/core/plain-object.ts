/**
 * A plain `{ … }` object (or one made with `Object.create(null)`): an options or headers
 * literal a caller wrote, safe to spread into a copy, as opposed to a class instance (a pg
 * Submittable, a `Headers`, a mysql2 command) whose behaviour lives on its prototype.
 */
export function isPlainObject(value: unknown): value is Record<PropertyKey, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A copy of `source`'s own enumerable properties, as `{ ...source }` makes, for a caller that
 * then adds keys to it. On Node 20, adding a key to an object made by a spread takes V8's slow
 * path (~0.45 µs against ~0.04 µs for a copy made by `Object.assign`, in a microbenchmark), and
 * the traced HTTP clients add the trace headers to a copy of the caller's on every request.
 * A spread literal that adds keys the source lacks, `{ ...a, key }`, pays the same (~0.5 µs a
 * key); one that only replaces keys the source has stays fast. Per-call objects of a fixed
 * shape are therefore spelled out instead (`settlementWith`, a server's response info).
 * `Object.assign` would run the `__proto__` setter for an own `__proto__` key (one from
 * `JSON.parse`) where a spread defines the property, so that one case keeps the spread.
 */
export function extensibleCopy(source: object): Record<PropertyKey, unknown> {
  if (Object.hasOwn(source, '__proto__')) return { ...source };
  return Object.assign<Record<PropertyKey, unknown>, object>({}, source);
}

/**
 * `{ ...source, [key]: value }`, made the cheaper way for whether `source` has `key` already
 * (replacing a key in a spread copy is fast; adding one is not, see {@link extensibleCopy}).
 */
export function copyWith(source: object, key: string, value: unknown): Record<PropertyKey, unknown> {
  if (Object.hasOwn(source, key)) return { ...source, [key]: value };
  const copy = extensibleCopy(source);
  copy[key] = value;
  return copy;
}
