/** How ioredis failures are named in `error.kind`. */

/**
 * `error.kind` of a failure: a Redis error reply's code word (`WRONGTYPE`, `NOSCRIPT`,
 * `EXECABORT`, `ERR`), low-cardinality by design; `undefined` for anything else, which then
 * gets the default (`ECONNREFUSED`, `MaxRetriesPerRequestError`…).
 */
export function redisErrorKind(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const { name, message } = error as { name?: unknown; message?: unknown };
  if (name !== 'ReplyError' || typeof message !== 'string') return undefined;
  const match = /^([A-Z][A-Z_-]{1,31})(?:\s|$)/.exec(message);
  return match?.[1];
}
