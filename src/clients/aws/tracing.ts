/**
 * One traced AWS client's settings and the span work every command shares, whichever way
 * the command is issued (the client's `send`, or a middleware stack a document client
 * borrowed from it): name, start tags, `$metadata` tags, error kind.
 */
import type { Span } from 'opentracing';
import {
  defaultErrorKind,
  guard,
  Instrumentation,
  type Settlement,
  SPAN_KIND,
  settlementWith,
  TAG,
  type TagMap,
} from '../../core/index.js';
import { addTagsSafely } from '../../core/span-ops.js';
import type { HandlerOutput, MetadataBearer, SdkClient } from './internal-types.js';
import { serviceOf } from './names.js';
import type { ServiceTagger, TaggerSettings } from './service-tagger.js';
import { taggerFor } from './services.js';
import { AWS_COMPONENT, AWS_TAG, type MutableTags } from './tags.js';
import type { AwsRequestInfo, AwsResponseInfo, AwsTracingOptions } from './types.js';

/**
 * `error.kind` of an SDK failure: the error's `name` (`ConditionalCheckFailedException`,
 * `ThrottlingException`, `TimeoutError`); for a plain `Error` from the network layer its
 * `code` (`ECONNREFUSED`) says more than the name.
 */
export function awsErrorKind(error: unknown): string {
  if (error !== null && typeof error === 'object') {
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && name !== '' && name !== 'Error') return name;
  }
  return defaultErrorKind(error);
}

/** Adds the `$metadata` tags of an output or a service error. */
function metadataTags(bearer: unknown, tags: MutableTags): void {
  if (bearer === null || typeof bearer !== 'object') return;
  const metadata = (bearer as MetadataBearer).$metadata;
  if (metadata === null || typeof metadata !== 'object') return;
  if (typeof metadata.requestId === 'string' && metadata.requestId !== '')
    tags[AWS_TAG.REQUEST_ID] = metadata.requestId;
  if (typeof metadata.httpStatusCode === 'number') tags[TAG.HTTP_STATUS_CODE] = metadata.httpStatusCode;
  if (typeof metadata.attempts === 'number') tags[AWS_TAG.ATTEMPTS] = metadata.attempts;
  if (typeof metadata.totalRetryDelay === 'number') tags[AWS_TAG.RETRY_DELAY] = metadata.totalRetryDelay;
}

export class AwsTracing implements TaggerSettings {
  readonly instrumentation: Instrumentation<AwsRequestInfo, AwsResponseInfo>;
  /** Lower-case service name: `dynamodb`, `s3`. */
  readonly service: string;
  readonly recordStatements: boolean;
  /** Settlement of a `send` call (settles on the output). */
  readonly sendSettlement: Settlement<unknown>;
  /** Settlement of a resolved stack handler (settles on `{ output, response }`). */
  readonly handlerSettlement: Settlement<HandlerOutput>;
  private readonly tagger: ServiceTagger;
  private readonly client: SdkClient;
  private readonly spanNames = new Map<string, string>();
  /** Hooks or a computed name need a per-call info object; without them none is built. */
  private readonly needsInfo: boolean;
  private region: string | undefined;
  private regionAsked = false;

  constructor(client: SdkClient, options: AwsTracingOptions | undefined, defaultService?: string) {
    this.client = client;
    this.service = options?.service ?? defaultService ?? serviceOf(client.config, client);
    this.tagger = taggerFor(this.service);
    this.recordStatements = options?.recordStatements ?? true;
    this.instrumentation = new Instrumentation<AwsRequestInfo, AwsResponseInfo>({
      component: AWS_COMPONENT,
      spanKind: SPAN_KIND.CLIENT,
      fixedTags: { [AWS_TAG.SERVICE]: this.service, ...this.tagger.fixedTags },
      options,
    });
    this.needsInfo =
      options?.operationName !== undefined || options?.requestHook !== undefined || options?.responseHook !== undefined;
    const tagOutput = (span: Span, output: unknown) => this.tagOutput(span, output);
    const tagFailure = (span: Span, error: unknown) => this.tagOutcome(span, error);
    const errorMessage = this.tagger.errorMessage;
    this.sendSettlement = { onSuccess: tagOutput, errorKind: awsErrorKind, errorMessage, onError: tagFailure };
    this.handlerSettlement = {
      onSuccess: (span, result) => this.tagOutput(span, result?.output),
      errorKind: awsErrorKind,
      errorMessage,
      onError: tagFailure,
    };
  }

  get maxStatementLength(): number {
    return this.instrumentation.maxStatementLength;
  }

  /**
   * The resolved config's `region` is an async provider. It is asked once, at the first
   * command (when the SDK asks it too), and the answer tags every later settlement.
   */
  private askRegion(): void {
    this.regionAsked = true;
    const region = this.client.config?.region;
    if (typeof region === 'string') {
      this.region = region;
      return;
    }
    if (typeof region !== 'function') return;
    guard(
      'tags.aws-sdk.region',
      () => {
        Promise.resolve((region as () => unknown)()).then(
          (value) => {
            if (typeof value === 'string') this.region = value;
          },
          // No region configured: the SDK reports that to the caller itself.
          () => {},
        );
      },
      this.instrumentation.onError,
    );
  }

  private spanName(operation: string): string {
    let name = this.spanNames.get(operation);
    if (name === undefined) {
      name = `${this.service}:${operation}`;
      this.spanNames.set(operation, name);
    }
    return name;
  }

  /**
   * Starts the span of one command, tagged from its input, or returns `undefined` when
   * nothing is recorded (the caller then runs the command directly).
   */
  start(operation: string, input: unknown): Span | undefined {
    if (!this.regionAsked) this.askRegion();
    const instrumentation = this.instrumentation;
    const info: AwsRequestInfo | undefined = this.needsInfo ? { service: this.service, operation, input } : undefined;
    const defaultName = this.spanName(operation);
    const span = instrumentation.start(
      info === undefined ? defaultName : instrumentation.operationName(defaultName, info),
    );
    if (span === undefined) return undefined;
    const tags: MutableTags = { [AWS_TAG.OPERATION]: operation };
    const request = this.tagger.request;
    if (request !== undefined && input !== null && typeof input === 'object') {
      guard(
        'tags.aws-sdk',
        () => request(operation, input as Readonly<Record<string, unknown>>, tags, this),
        instrumentation.onError,
      );
    }
    addTagsSafely(span, tags as TagMap, instrumentation.onError);
    if (info !== undefined) instrumentation.requestHook(span, info);
    return span;
  }

  /** The settlement for one call: the shared one, or one whose response info names the operation. */
  settlementFor<R>(shared: Settlement<R>, operation: string, output: (result: R) => unknown): Settlement<R> {
    if (this.instrumentation.options.responseHook === undefined) return shared;
    const service = this.service;
    return settlementWith(shared, { responseInfo: (result: R) => ({ service, operation, output: output(result) }) });
  }

  private tagOutput(span: Span, output: unknown): void {
    const tags: MutableTags = {};
    if (this.region !== undefined) tags[AWS_TAG.REGION] = this.region;
    metadataTags(output, tags);
    const response = this.tagger.response;
    if (response !== undefined && output !== null && typeof output === 'object') {
      response(output as Readonly<Record<string, unknown>>, tags);
    }
    addTagsSafely(span, tags as TagMap, this.instrumentation.onError);
  }

  private tagOutcome(span: Span, error: unknown): void {
    const tags: MutableTags = {};
    if (this.region !== undefined) tags[AWS_TAG.REGION] = this.region;
    metadataTags(error, tags);
    addTagsSafely(span, tags as TagMap, this.instrumentation.onError);
  }
}
