import type { Span, Tracer } from 'opentracing';
import { spanInContext } from '../context/index.js';
import { guard, isThenable } from './faults.js';
import { Instrumentation } from './instrumentation.js';
import { SpanSettler, watchSettlement } from './lifecycle.js';
import type { TagMap } from './tags.js';

/** Options of {@link tracedFunction} and {@link traced}. */
export interface TracedFunctionOptions<Args extends readonly unknown[] = readonly unknown[]> {
  /** Operation name. @default the function's name (`Class.method` for `@traced`) */
  readonly name?: string;
  readonly tags?: TagMap;
  /** Runs after the span starts, with the call's arguments (tag from them here). Isolated. */
  readonly onStart?: (span: Span, ...args: Args) => void;
  /** Skip the span when there is no current span (the Python `require_active_trace`). @default false */
  readonly requireActiveTrace?: boolean;
  readonly tracer?: Tracer;
}

// biome-ignore lint/suspicious/noExplicitAny: any function type; the result has the same type.
type AnyFunction = (this: any, ...args: any[]) => any;

function instrumentationFor(options: TracedFunctionOptions<never>): Instrumentation {
  return new Instrumentation({
    component: 'traced-function',
    tagComponent: false,
    options: {
      tracer: options.tracer,
      tags: options.tags,
      requireParentSpan: options.requireActiveTrace ?? false,
    },
  });
}

function invokeTraced<F extends AnyFunction>(
  instrumentation: Instrumentation,
  name: string,
  onStart: TracedFunctionOptions<Parameters<F>>['onStart'],
  fn: F,
  self: unknown,
  args: Parameters<F>,
): ReturnType<F> {
  const span = instrumentation.start(name);
  if (span === undefined) return Reflect.apply(fn, self, args);
  if (onStart !== undefined) guard('onStart', () => onStart(span, ...args), instrumentation.onError);
  const settler = new SpanSettler(instrumentation, span);
  let result: ReturnType<F>;
  try {
    result = spanInContext(span, () => Reflect.apply(fn, self, args));
  } catch (error) {
    settler.fail(error);
    throw error;
  }
  if (isThenable(result)) return watchSettlement(settler, result) as ReturnType<F>;
  settler.succeed(result);
  return result;
}

/**
 * Returns a function of the same type that runs `fn` inside a span, active for the body so
 * traced calls made inside become its children. Sync and async functions; errors are tagged
 * and re-raised unchanged. The Python original's `traced_function`.
 *
 * @example
 * const loadUser = tracedFunction(async (id: string) => db.query('SELECT …', [id]), {
 *   name: 'loadUser',
 *   onStart: (span, id) => span.setTag('user.id', id),
 * });
 */
export function tracedFunction<F extends AnyFunction>(fn: F, options: TracedFunctionOptions<Parameters<F>> = {}): F {
  if (typeof fn !== 'function') throw new TypeError(`tracedFunction expects a function, got ${typeof fn}`);
  const instrumentation = instrumentationFor(options as TracedFunctionOptions<never>);
  const name = options.name ?? (fn.name || 'anonymous');
  const { onStart } = options;
  const wrapped = function (this: unknown, ...args: Parameters<F>): ReturnType<F> {
    return invokeTraced(instrumentation, name, onStart, fn, this, args);
  };
  Object.defineProperty(wrapped, 'name', { value: fn.name });
  Object.defineProperty(wrapped, 'length', { value: fn.length });
  return wrapped as F;
}

/**
 * A standard (TypeScript 5 / TC39) method decorator: each call of the method is a span named
 * `ClassName.method` unless `name` says otherwise.
 *
 * @example
 * class Orders {
 *   @traced({ tags: { layer: 'service' } })
 *   async place(order: Order) { … }
 * }
 */
export function traced<This, Args extends unknown[], Return>(options: TracedFunctionOptions<Args> = {}) {
  return function decorate(
    method: (this: This, ...args: Args) => Return,
    context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => Return>,
  ): (this: This, ...args: Args) => Return {
    if (context.kind !== 'method') throw new TypeError('@traced decorates methods only');
    const instrumentation = instrumentationFor(options as TracedFunctionOptions<never>);
    const methodName = String(context.name);
    const { onStart } = options;
    // Named after the class of the instance, which is only known at call time (a subclass
    // calling an inherited method reports itself); one name per class, cached.
    const names = new WeakMap<object, string>();
    const nameFor = (self: unknown): string => {
      if (options.name !== undefined) return options.name;
      const owner = context.static ? self : (self as object | null)?.constructor;
      if (typeof owner !== 'function') return methodName;
      let name = names.get(owner);
      if (name === undefined) {
        name = owner.name ? `${owner.name}.${methodName}` : methodName;
        names.set(owner, name);
      }
      return name;
    };
    return function (this: This, ...args: Args): Return {
      return invokeTraced(instrumentation, nameFor(this), onStart as never, method, this, args);
    };
  };
}
