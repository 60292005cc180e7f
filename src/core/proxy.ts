/**
 * The one way a client becomes a traced drop-in: a Proxy over the real object whose `get`
 * trap returns pre-built wrappers for the methods a client traces and the real value for
 * everything else (the shape of undici's `Dispatcher.compose`).
 *
 * Rules it keeps (see the design): same type and prototype (`instanceof` holds); a method
 * read twice is the same function; methods run with `this` = the real object, so classes
 * with `#private` fields work; a method returning the object itself returns the proxy, so
 * chains (`emitter.on(...).on(...)`) stay traced; wrapping a traced object returns it as it
 * is; `untraced(proxy)` gives the original back. State lives beside the object (WeakMaps),
 * never on it.
 */
import { state } from '../context/index.js';
import { isTracedInPlace } from './traced-registry.js';

// biome-ignore lint/suspicious/noExplicitAny: a method of any signature; the wrapper keeps it.
type AnyFunction = (...args: any[]) => any;

/**
 * Builds the traced form of one method, once per proxy (and again only if the real object's
 * method is replaced). It must call `original` with `this` = `target`.
 */
export type MethodWrapper<T extends object> = (original: AnyFunction, target: T, proxy: T) => AnyFunction;

/** Method name → its wrapper. Keys may be any property of the object, inherited or own. */
export type MethodTable<T extends object> = Readonly<Partial<Record<PropertyKey, MethodWrapper<T>>>>;

/**
 * Builds the traced view of an object-valued property (a client's middleware stack), once
 * per value: read twice, the property gives the same view until the real value changes.
 */
export type PropertyWrapper<T extends object> = (value: object, target: T, proxy: T) => object;

/** Property name → the wrapper of its object value. */
export type PropertyTable<T extends object> = Readonly<Partial<Record<PropertyKey, PropertyWrapper<T>>>>;

interface CachedMethod {
  readonly original: AnyFunction;
  readonly wrapped: AnyFunction;
}

const classes = new WeakMap<AnyFunction, boolean>();

function isClass(fn: AnyFunction): boolean {
  let known = classes.get(fn);
  if (known === undefined) {
    known = /^class[\s{]/.test(Function.prototype.toString.call(fn));
    classes.set(fn, known);
  }
  return known;
}

/** True when `value` is a traced proxy (or traced function) made by this package. */
export function isTraced(value: unknown): boolean {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  return state.originals.has(value) || isTracedInPlace(value);
}

/**
 * The original object behind a traced one; any other value is returned as it is.
 *
 * @example
 * const raw = untraced(tracedPg(pool)); // raw === pool
 */
export function untraced<T>(value: T): T {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return value;
  return (state.originals.get(value as object) as T | undefined) ?? value;
}

/**
 * Wraps `target` so the methods in `methods` are traced, and the object-valued properties in
 * `properties` read as traced views. Idempotent: a traced object comes back unchanged.
 */
export function tracedProxy<T extends object>(target: T, methods: MethodTable<T>, properties?: PropertyTable<T>): T {
  if (state.originals.has(target)) return target;
  // One cache for every method read through the proxy, traced or not: the hot path (a method
  // read again) is one Map lookup and one compare, whatever kind of method it is.
  const methodCache = new Map<PropertyKey, CachedMethod>();
  const views = new Map<PropertyKey, { readonly original: object; readonly view: object }>();

  const wrapMethod = (object: T, key: PropertyKey, original: AnyFunction): AnyFunction => {
    const wrapper = methods[key];
    let wrapped = original;
    if (isFrozenProperty(object, key)) {
      // The Proxy invariant: a read-only, non-configurable property reads as its own value.
    } else if (wrapper !== undefined) {
      wrapped = wrapper(original, object, proxy);
    } else if (key !== 'constructor' && !isClass(original)) {
      // Keep classes and the constructor as they are (`x.constructor === Pool` must hold).
      wrapped = function (this: unknown, ...args: unknown[]) {
        const result = Reflect.apply(original, this === proxy || this === undefined ? target : this, args);
        return result === target ? proxy : result;
      };
      Object.defineProperty(wrapped, 'name', { value: original.name });
      Object.defineProperty(wrapped, 'length', { value: original.length });
    }
    methodCache.set(key, { original, wrapped });
    return wrapped;
  };

  const proxy: T = new Proxy(target, {
    get(object, key) {
      // The same read as `Reflect.get(object, key, object)`, but through a keyed inline cache,
      // which Reflect.get lacks: the lookup walks ioredis's prototype of ~400 command methods
      // on every call (a read of `get` through the proxy: 61–70 → 37–45 ns).
      const value: unknown = (object as Record<PropertyKey, unknown>)[key];
      if (typeof value === 'function') {
        const cached = methodCache.get(key);
        if (cached !== undefined && cached.original === value) return cached.wrapped;
        return wrapMethod(object, key, value as AnyFunction);
      }
      const viewOf = properties?.[key];
      if (viewOf === undefined || value === null || typeof value !== 'object') return value;
      if (isFrozenProperty(object, key)) return value;
      const cachedView = views.get(key);
      if (cachedView !== undefined && cachedView.original === value) return cachedView.view;
      const view = viewOf(value, object, proxy);
      views.set(key, { original: value, view });
      return view;
    },
    set(object, key, value) {
      // Setters run on the real object, like getters above (private fields, internal slots).
      return Reflect.set(object, key, value, object);
    },
  });
  state.originals.set(proxy, target);
  return proxy;
}

function isFrozenProperty(object: object, key: PropertyKey): boolean {
  const descriptor = Reflect.getOwnPropertyDescriptor(object, key);
  return descriptor !== undefined && descriptor.configurable === false && descriptor.writable === false;
}
