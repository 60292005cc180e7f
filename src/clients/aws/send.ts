/**
 * The traced `send`: one span per command, named `<service>:<Operation>`, settled by the
 * call's own style (promise, or the callback of `send(command, cb)` /
 * `send(command, options, cb)`), returning the real `send`'s own promise.
 */
import { type Instrumentation, type MethodWrapper, traceCall } from '../../core/index.js';
import type { SdkClient, SdkCommand } from './internal-types.js';
import { operationOf } from './names.js';
import { markedSend } from './send-scope.js';
import type { AwsTracing } from './tracing.js';

const outputOf = (output: unknown) => output;

export function tracedSend(tracing: AwsTracing): MethodWrapper<SdkClient> {
  return (original, target) => {
    const send = markedSend(original);
    const instrumentation = tracing.instrumentation;
    return function tracedSend(this: unknown, ...args: unknown[]) {
      // Nothing will be recorded, here or by a document client's stack: the real send, as is.
      if (instrumentation.hasNoopTracer()) return Reflect.apply(original, target, args);
      const command = args[0] as SdkCommand | null | undefined;
      // Not a command: let the real send fail exactly as it does.
      if (command === null || typeof command !== 'object') return Reflect.apply(send, target, args);
      const operation = operationOf(command);
      const span = tracing.start(operation, command.input);
      if (span === undefined) return Reflect.apply(send, target, args);
      return traceCall(
        instrumentation as Instrumentation,
        span,
        send,
        target,
        args,
        tracing.settlementFor(tracing.sendSettlement, operation, outputOf),
      );
    };
  };
}
