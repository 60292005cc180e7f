/**
 * `tracedAws` / `tracedDynamoDB`: the traced drop-in of an AWS SDK v3 client. What is traced:
 *
 * | member | how |
 * | --- | --- |
 * | `send` | one span per command (`send.ts`) |
 * | every other method of the client's classes (aggregated `getItem`, `putObject`, `paginate…`, `waitUntil…`) | runs with `this` = the traced client, so the command it builds goes through the traced `send` |
 * | `middlewareStack` | a view whose resolved handlers record commands of document clients built from the traced client (`stack.ts`) |
 * | `config`, `destroy`, everything else | the real client's, untouched |
 */
import { isTraced, type MethodTable, type MethodWrapper, tracedProxy } from '../../core/index.js';
import type { SdkClient, SdkMiddlewareStack } from './internal-types.js';
import { tracedSend } from './send.js';
import { tracedStackView } from './stack.js';
import { AwsTracing } from './tracing.js';
import type { AwsSdkClient, AwsTracingOptions } from './types.js';

const NOT_VIA_PROXY = new Set<string>(['constructor', 'send', 'destroy']);

/** Runs a method with `this` = the traced client: its `this.send(…)` is then traced. */
const viaProxy: MethodWrapper<SdkClient> = (original, _target, proxy) =>
  function (this: unknown, ...args: unknown[]) {
    return Reflect.apply(original, proxy, args);
  };

// Per class: the methods that issue commands through `this.send` (every method of the
// client's classes but send/destroy/constructor). Built once per prototype.
const tables = new WeakMap<object, Record<string, MethodWrapper<SdkClient>>>();

function methodsViaProxy(client: object): Record<string, MethodWrapper<SdkClient>> {
  const prototype = Object.getPrototypeOf(client) as object | null;
  if (prototype === null) return {};
  const known = tables.get(prototype);
  if (known !== undefined) return known;
  const table: Record<string, MethodWrapper<SdkClient>> = {};
  for (let p: object | null = prototype; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const name of Object.getOwnPropertyNames(p)) {
      if (NOT_VIA_PROXY.has(name) || name in table) continue;
      const descriptor = Object.getOwnPropertyDescriptor(p, name);
      if (descriptor !== undefined && typeof descriptor.value === 'function') table[name] = viaProxy;
    }
  }
  tables.set(prototype, table);
  return table;
}

function isSdkClient(value: unknown): value is SdkClient {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { send?: unknown }).send === 'function' &&
    typeof (value as { middlewareStack?: unknown }).middlewareStack === 'object'
  );
}

export function traceAwsClient<T extends AwsSdkClient>(
  client: T,
  options: AwsTracingOptions | undefined,
  defaultService: string | undefined,
  factory: string,
): T {
  if (isTraced(client)) return client;
  if (!isSdkClient(client)) {
    throw new TypeError(`${factory} expects an AWS SDK v3 client (an object with send and middlewareStack)`);
  }
  const tracing = new AwsTracing(client, options, defaultService);
  const methods: MethodTable<SdkClient> = { ...methodsViaProxy(client), send: tracedSend(tracing) };
  return tracedProxy<SdkClient>(client, methods, {
    middlewareStack: (stack) => tracedStackView(stack as SdkMiddlewareStack, tracing),
  }) as unknown as T;
}
