/**
 * The traced view of a client's middleware stack, read as `tracedClient.middlewareStack`.
 * Every method is the real stack's (adding middleware through the view adds it to the
 * client), except that stacks built from it by `concat` are views too, and a handler it
 * `resolve`s records one span per command. That is how `DynamoDBDocumentClient.from(traced)`
 * is traced: the document client keeps the traced client's stack and resolves its commands
 * on it, without calling the traced `send`.
 */
import { type Instrumentation, traceCall } from '../../core/index.js';
import type {
  HandlerArgs,
  HandlerContext,
  HandlerOutput,
  ResolvedHandler,
  SdkMiddlewareStack,
} from './internal-types.js';
import { operationFromCommandName, operationOf } from './names.js';
import { insideTracedSend } from './send-scope.js';
import type { AwsTracing } from './tracing.js';

const views = new WeakSet<object>();

const outputOf = (result: HandlerOutput | undefined) => result?.output;

function operationIn(context: HandlerContext | undefined): string {
  const smithy = context?.__smithy_context;
  if (typeof smithy?.operation === 'string' && smithy.operation !== '') return smithy.operation;
  if (smithy?.commandInstance !== undefined) return operationOf(smithy.commandInstance);
  return typeof context?.commandName === 'string' ? operationFromCommandName(context.commandName) : 'Unknown';
}

function tracedHandler(resolved: ResolvedHandler, context: HandlerContext, tracing: AwsTracing): ResolvedHandler {
  const operation = operationIn(context);
  const settlement = tracing.settlementFor(tracing.handlerSettlement, operation, outputOf);
  return function tracedCommandHandler(args: HandlerArgs) {
    const span = tracing.start(operation, args?.input);
    if (span === undefined) return resolved(args);
    return traceCall(
      tracing.instrumentation as Instrumentation,
      span,
      resolved,
      undefined,
      [args],
      settlement,
      'promise',
    ) as Promise<HandlerOutput>;
  };
}

export function tracedStackView(stack: SdkMiddlewareStack, tracing: AwsTracing): SdkMiddlewareStack {
  if (views.has(stack)) return stack;
  const concat = (from: unknown) => tracedStackView(stack.concat(from), tracing);
  const resolve = (handler: unknown, context: HandlerContext) => {
    const resolved = stack.resolve(handler, context);
    // Issued by a traced `send`: that span is the command's span already.
    return insideTracedSend() || typeof resolved !== 'function' ? resolved : tracedHandler(resolved, context, tracing);
  };
  const view = new Proxy(stack, {
    get(target, key) {
      if (key === 'concat') return concat;
      if (key === 'resolve') return resolve;
      return Reflect.get(target, key, target);
    },
  });
  views.add(view);
  return view;
}
