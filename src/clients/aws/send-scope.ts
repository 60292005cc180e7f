/**
 * Which layer records a command. A command sent through a traced client's `send` is
 * recorded there; a lib-dynamodb document client built from a traced client never calls
 * that `send` (it borrows the client's config and middleware stack), so its commands are
 * recorded where it resolves the borrowed stack. When a traced `send` runs such a document
 * client (a traced document client over a traced base), both layers are on one call: the
 * stack resolves synchronously inside `send`, so a depth counter held across the call tells
 * the stack layer to stay quiet. One span per command, whichever way it was issued.
 */
let depth = 0;

/** True while a traced `send` is calling the real one. */
export function insideTracedSend(): boolean {
  return depth > 0;
}

// biome-ignore lint/suspicious/noExplicitAny: the real `send`, of any signature.
type AnyFunction = (...args: any[]) => any;

/** The real `send`, marked as issued by a traced `send` while it runs. Built once per client. */
export function markedSend(original: AnyFunction): AnyFunction {
  return function sendInTracedScope(this: unknown, ...args: unknown[]) {
    depth++;
    try {
      return Reflect.apply(original, this, args);
    } finally {
      depth--;
    }
  };
}
