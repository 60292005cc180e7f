/**
 * A small in-process "client library" for unit tests of the core: one method per call style
 * a real driver has (promise, callback, sync, emitter, thenable), a `#private` field, and a
 * method that hands out another object that issues calls. `tracedKv` is written exactly the
 * way the real clients under src/clients are, so these tests exercise the same core paths.
 */
import { EventEmitter } from 'node:events';
import {
  Instrumentation,
  type MethodTable,
  SPAN_KIND,
  type TracingOptions,
  traceCall,
  tracedProxy,
} from '../../src/core/index.js';
import { SpanSettler, settleOnEvents } from '../../src/core/lifecycle.js';

export class KvError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'KvError';
  }
}

export class KvStream extends EventEmitter {}

export class KvClient extends EventEmitter {
  readonly #store = new Map<string, string>();
  static instances = 0;
  connected = true;

  constructor() {
    super();
    KvClient.instances++;
  }

  get size(): number {
    return this.#store.size;
  }

  async get(key: string): Promise<string | undefined> {
    await new Promise((r) => setTimeout(r, 1));
    if (key === 'fail') throw new KvError('lookup failed', 'EFAIL');
    return this.#store.get(key);
  }

  async set(key: string, value: string): Promise<'OK'> {
    await Promise.resolve();
    this.#store.set(key, value);
    return 'OK';
  }

  getCb(key: string, callback: (error: Error | null, value?: string) => void): void {
    setTimeout(() => {
      if (key === 'fail') callback(new KvError('lookup failed', 'EFAIL'));
      else callback(null, this.#store.get(key));
    }, 1);
  }

  getSync(key: string): string | undefined {
    if (key === 'fail') throw new KvError('lookup failed', 'EFAIL');
    return this.#store.get(key);
  }

  /** A lazy thenable, like a query builder. */
  getLater(key: string): PromiseLike<string | undefined> {
    // biome-ignore lint/suspicious/noThenProperty: a thenable on purpose, to test thenable settling.
    return { then: (ok, ko) => this.get(key).then(ok, ko) };
  }

  scan(fail = false): KvStream {
    const stream = new KvStream();
    setTimeout(() => {
      if (fail) {
        stream.emit('error', new KvError('scan failed', 'ESCAN'));
        return;
      }
      for (const key of this.#store.keys()) stream.emit('data', key);
      stream.emit('end');
    }, 1);
    return stream;
  }

  #session: KvClient | undefined;

  /** Hands out a session that issues calls of its own (the same one each time, like a pooled connection). */
  session(): KvClient {
    this.#session ??= new KvClient();
    return this.#session;
  }

  private(): number {
    return this.#store.size;
  }
}

export interface KvOptions extends TracingOptions {
  readonly requestHook?: (span: import('opentracing').Span, info: { command: string; key: string }) => void;
  readonly responseHook?: (span: import('opentracing').Span, info: unknown) => void;
  readonly operationName?: string | ((info: { command: string; key: string }) => string);
}

export function tracedKv(client: KvClient, options?: KvOptions): KvClient {
  const instrumentation = new Instrumentation<{ command: string; key: string }, unknown>({
    component: 'kv',
    spanKind: SPAN_KIND.CLIENT,
    fixedTags: { 'db.type': 'kv' },
    options,
  });
  const command =
    (name: string): MethodTable<KvClient>[string] =>
    (original, target) =>
      function (this: unknown, ...args: unknown[]) {
        const info = { command: name, key: String(args[0]) };
        const span = instrumentation.start(instrumentation.operationName(`kv:${name}`, info), {
          'db.statement': `${name} ${String(args[0])}`,
        });
        if (span === undefined) return Reflect.apply(original, target, args);
        instrumentation.requestHook(span, info);
        return traceCall(instrumentation as Instrumentation, span, original, target, args, {
          onSuccess: (s, result) => {
            s.setTag('kv.hit', result !== undefined);
          },
        });
      };
  return tracedProxy(client, {
    get: command('get'),
    set: command('set'),
    getCb: command('getCb'),
    getSync: command('getSync'),
    getLater: command('getLater'),
    scan: (original, target) =>
      function (this: unknown, ...args: unknown[]) {
        const span = instrumentation.start('kv:scan');
        const stream = Reflect.apply(original, target, args) as KvStream;
        if (span !== undefined) {
          settleOnEvents(new SpanSettler(instrumentation as Instrumentation, span), stream, { done: ['end'] });
        }
        return stream;
      },
    session: (original, target) =>
      function (this: unknown) {
        return instrumentation.handOut(Reflect.apply(original, target, []) as KvClient, (s) => tracedKv(s, options));
      },
  });
}
