/**
 * A traced connection (`ChannelModel`, the callback API's connection, and the recovering
 * ones of both): channels it creates come back traced, the same proxy for the same channel,
 * from the promise, the callback and the callback API's return value alike.
 */
import { bindToCurrentContext } from '../../context/index.js';
import { Instrumentation, isThenable, type MethodWrapper, tracedProxy } from '../../core/index.js';
import { tracedChannel } from './channel.js';
import { COMPONENT } from './instruments.js';
import type { AnyMethod, RawChannel, RawConnection } from './internal-types.js';
import type { AmqpTracingOptions } from './types.js';

export function isChannel(value: unknown): value is RawChannel {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as RawChannel).publish === 'function' &&
    typeof (value as RawChannel).consume === 'function'
  );
}

export function tracedConnection<T extends RawConnection>(connection: T, options: AmqpTracingOptions): T {
  // Used only to hand out one traced proxy per channel.
  const owner = new Instrumentation({ component: COMPONENT, options });
  const trace = (channel: unknown): unknown =>
    isChannel(channel) ? owner.handOut(channel, (c) => tracedChannel(c, options)) : channel;

  const createWrapper: MethodWrapper<RawConnection> = (original, target) =>
    function tracedCreateChannel(this: unknown, ...args: unknown[]): unknown {
      const last = args.length - 1;
      const callback = args[last];
      let callArgs = args;
      if (typeof callback === 'function') {
        const bound = bindToCurrentContext(callback as AnyMethod);
        callArgs = args.slice();
        // `(error)` or `(null, channel)`: the same arguments, the channel traced.
        callArgs[last] = function tracedChannelCallback(this: unknown, ...cbArgs: unknown[]): unknown {
          if (cbArgs.length > 1) cbArgs[1] = trace(cbArgs[1]);
          return Reflect.apply(bound, this, cbArgs);
        };
      }
      const result: unknown = Reflect.apply(original, target, callArgs);
      if (isThenable(result)) return (result as PromiseLike<unknown>).then(trace);
      return trace(result);
    };

  return tracedProxy(connection, {
    createChannel: createWrapper,
    createConfirmChannel: createWrapper,
  } as Record<string, MethodWrapper<T>>);
}
