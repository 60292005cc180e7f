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
