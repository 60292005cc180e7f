/**
 * The parts of AWS SDK v3 (smithy) clients, commands and middleware stacks that the tracing
 * reads. Structural, so no SDK package is needed at run time; never exported.
 */

/** `$metadata` of an SDK output or service error. */
export interface ResponseMetadata {
  readonly httpStatusCode?: number;
  readonly requestId?: string;
  readonly extendedRequestId?: string;
  readonly attempts?: number;
  readonly totalRetryDelay?: number;
}

/** Anything carrying `$metadata`: an output or a service exception. */
export interface MetadataBearer {
  readonly $metadata?: ResponseMetadata;
}

/** A command as `send` receives it; a lib-dynamodb command wraps a `clientCommand`. */
export interface SdkCommand {
  readonly input?: unknown;
  /** The operation schema, `[9, namespace, name, traits, input, output]` in current SDKs. */
  readonly schema?: unknown;
  readonly clientCommand?: SdkCommand;
}

/** The resolved client config fields read once per client. */
export interface SdkConfig {
  readonly serviceId?: unknown;
  readonly region?: unknown;
}

/** The handler execution context a middleware stack is resolved with. */
export interface HandlerContext {
  readonly commandName?: string;
  readonly clientName?: string;
  readonly __smithy_context?: {
    readonly commandInstance?: SdkCommand;
    readonly operation?: string;
    readonly service?: string;
  };
}

/** What a resolved stack handler receives and resolves to. */
export interface HandlerArgs {
  readonly input?: unknown;
}
export interface HandlerOutput {
  readonly output?: unknown;
}
export type ResolvedHandler = (args: HandlerArgs) => Promise<HandlerOutput>;

/** The two middleware-stack methods the traced stack view replaces. */
export interface SdkMiddlewareStack {
  concat(from: unknown): SdkMiddlewareStack;
  resolve(handler: unknown, context: HandlerContext): ResolvedHandler;
}

/** An SDK v3 client as the tracing sees it. */
export interface SdkClient {
  readonly config: SdkConfig;
  middlewareStack: SdkMiddlewareStack;
  send(command: SdkCommand, ...rest: unknown[]): unknown;
}
