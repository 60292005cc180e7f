import type * as Amqp from 'amqplib';
import type * as AmqpCallback from 'amqplib/callback_api';
import type { Span } from 'opentracing';
import { describe, expectTypeOf, it } from 'vitest';
import { type AmqpRequestInfo, type AmqpResponseInfo, type AmqpTracingOptions, tracedAmqp } from '../../src/amqplib.js';
import { tracedAmqp as fromRoot } from '../../src/index.js';

declare const model: Amqp.ChannelModel;
declare const recovering: Amqp.RecoveringChannelModel;
declare const channel: Amqp.Channel;
declare const confirm: Amqp.ConfirmChannel;
declare const cbConnection: AmqpCallback.Connection;
declare const cbChannel: AmqpCallback.Channel;
declare const cbConfirm: AmqpCallback.ConfirmChannel;

describe('tracedAmqp types', () => {
  it('returns exactly the type it was given, for both APIs', () => {
    expectTypeOf(tracedAmqp(model)).toEqualTypeOf<Amqp.ChannelModel>();
    expectTypeOf(tracedAmqp(recovering)).toEqualTypeOf<Amqp.RecoveringChannelModel>();
    expectTypeOf(tracedAmqp(channel)).toEqualTypeOf<Amqp.Channel>();
    expectTypeOf(tracedAmqp(confirm)).toEqualTypeOf<Amqp.ConfirmChannel>();
    expectTypeOf(tracedAmqp(cbConnection)).toEqualTypeOf<AmqpCallback.Connection>();
    expectTypeOf(tracedAmqp(cbChannel)).toEqualTypeOf<AmqpCallback.Channel>();
    expectTypeOf(tracedAmqp(cbConfirm)).toEqualTypeOf<AmqpCallback.ConfirmChannel>();
    expectTypeOf(fromRoot).toEqualTypeOf(tracedAmqp);
  });

  it('keeps the methods typed', () => {
    expectTypeOf(tracedAmqp(model).createConfirmChannel()).resolves.toEqualTypeOf<Amqp.ConfirmChannel>();
    expectTypeOf(tracedAmqp(channel).publish).returns.toEqualTypeOf<boolean>();
  });

  it('rejects what is not an amqplib connection or channel', () => {
    // @ts-expect-error not a connection or channel
    tracedAmqp({ query: () => 1 });
  });

  it('types the options and the hook infos', () => {
    const options: AmqpTracingOptions = {
      reference: 'followsFrom',
      traceAcks: true,
      peerService: 'rabbit',
      requestHook: (span, info) => {
        expectTypeOf(span).toEqualTypeOf<Span>();
        expectTypeOf(info).toEqualTypeOf<AmqpRequestInfo>();
        if (info.operation === 'consume') expectTypeOf(info.message).toEqualTypeOf<Amqp.ConsumeMessage>();
        if (info.operation === 'publish') expectTypeOf(info.content).toEqualTypeOf<Buffer>();
      },
      responseHook: (_span, info) => {
        expectTypeOf(info).toEqualTypeOf<AmqpResponseInfo>();
        if (info.operation === 'get') expectTypeOf(info.message).toEqualTypeOf<Amqp.GetMessage | false>();
      },
      operationName: (info) => `mq:${info.operation}`,
    };
    tracedAmqp(model, options);
    // @ts-expect-error only childOf or followsFrom
    tracedAmqp(model, { reference: 'parent' });
  });
});
