/**
 * The parts of amqplib's runtime objects this client relies on, for both the promise API
 * (`amqplib`) and the callback API (`amqplib/callback_api`). Never exported from the package.
 */
// biome-ignore lint/suspicious/noExplicitAny: amqplib methods of any signature, called as given.
export type AnyMethod = (...args: any[]) => any;

/** A channel of either API: what the wrappers read from it. */
export interface RawChannel {
  publish: AnyMethod;
  sendToQueue: AnyMethod;
  consume: AnyMethod;
  get: AnyMethod;
  /** Only confirm channels have it. */
  waitForConfirms?: AnyMethod;
  /** amqplib's internal connection; `stream` is the socket to the broker. */
  readonly connection?: { readonly stream?: { readonly remoteAddress?: string; readonly remotePort?: number } };
}

/** A connection of either API (also the recovering ones). */
export interface RawConnection {
  createChannel: AnyMethod;
  createConfirmChannel: AnyMethod;
}
