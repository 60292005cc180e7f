/**
 * User hooks that misbehave: throw synchronously, or return a rejected promise (an `async`
 * hook that fails). Each counts its calls, so a test proves the hook really ran.
 */

export class HookExploded extends Error {
  constructor(readonly hook: string) {
    super(`${hook} exploded`);
    this.name = 'HookExploded';
  }
}

export type HookMode = 'throw' | 'reject';

export interface BadHook {
  // biome-ignore lint/suspicious/noExplicitAny: stands in for a hook of any client's signature.
  readonly fn: (...args: any[]) => any;
  readonly calls: () => number;
}

/** A hook that throws (`throw`) or returns a rejected promise (`reject`) on every call. */
export function badHook(name: string, mode: HookMode): BadHook {
  let calls = 0;
  const fn =
    mode === 'throw'
      ? () => {
          calls++;
          throw new HookExploded(name);
        }
      : async () => {
          calls++;
          throw new HookExploded(name);
        };
  return { fn, calls: () => calls };
}

/** The request/response/operationName hooks of a client, all failing the same way. */
export function badClientHooks(mode: HookMode): {
  readonly options: { requestHook: BadHook['fn']; responseHook: BadHook['fn'] };
  readonly calls: () => number;
} {
  const request = badHook('requestHook', mode);
  const response = badHook('responseHook', mode);
  return {
    options: { requestHook: request.fn, responseHook: response.fn },
    calls: () => request.calls() + response.calls(),
  };
}
