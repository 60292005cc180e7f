import { Tags } from 'opentracing';

/**
 * Every tag name the package writes, in one place. The OpenTracing semantic conventions come
 * from `opentracing.Tags`; the rest follow the same dotted style.
 */
export const TAG = {
  SPAN_KIND: Tags.SPAN_KIND,
  COMPONENT: Tags.COMPONENT,
  ERROR: Tags.ERROR,
  PEER_SERVICE: Tags.PEER_SERVICE,
  PEER_HOSTNAME: Tags.PEER_HOSTNAME,
  PEER_HOST_IPV4: Tags.PEER_HOST_IPV4,
  PEER_HOST_IPV6: Tags.PEER_HOST_IPV6,
  PEER_PORT: Tags.PEER_PORT,
  HTTP_METHOD: Tags.HTTP_METHOD,
  HTTP_URL: Tags.HTTP_URL,
  HTTP_STATUS_CODE: Tags.HTTP_STATUS_CODE,
  HTTP_ROUTE: 'http.route',
  DB_TYPE: Tags.DB_TYPE,
  DB_SYSTEM: 'db.system',
  DB_INSTANCE: Tags.DB_INSTANCE,
  DB_USER: Tags.DB_USER,
  DB_STATEMENT: Tags.DB_STATEMENT,
  MESSAGE_BUS_DESTINATION: Tags.MESSAGE_BUS_DESTINATION,
  SAMPLING_PRIORITY: Tags.SAMPLING_PRIORITY,
} as const;

/** `span.kind` values. */
export const SPAN_KIND = {
  CLIENT: Tags.SPAN_KIND_RPC_CLIENT,
  SERVER: Tags.SPAN_KIND_RPC_SERVER,
  PRODUCER: Tags.SPAN_KIND_MESSAGING_PRODUCER,
  CONSUMER: Tags.SPAN_KIND_MESSAGING_CONSUMER,
} as const;

export type SpanKind = (typeof SPAN_KIND)[keyof typeof SPAN_KIND];

/** A tag value as OpenTracing tracers accept it. */
export type TagValue = string | number | boolean;

/** A set of tags. `undefined` values are skipped, so optional tags can be written inline. */
export type TagMap = Readonly<Record<string, TagValue | undefined>>;
