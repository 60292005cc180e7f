/**
 * Where every span of the app must be: the expected-parent map of a load run.
 *
 * - server span of request r: trace of r, parent = the caller span id r's traceparent named;
 * - client span tagged r (pg, mysql2, ioredis, aws-sdk, fetch, amqp publish): trace of r,
 *   parent = r's server span;
 * - consumer span tagged r: trace of r, parent = r's publish span;
 * - a span with no request tag (one a client starts without running hooks): it must at least
 *   sit in a request's trace under a span of that same trace.
 * Plus propagation: the HTTP peer must have received r's trace with the fetch span as parent.
 */
import type { RecordedSpan } from '../../../helpers/tracing.js';
import type { ExpectedParent } from '../../lib/ledger.js';
import type { SentRequest } from '../../lib/load.js';
import { REQUEST_TAG } from './app.js';

export interface AppParentCheck {
  readonly expected: Map<string, ExpectedParent>;
  /** Spans that are wrong for reasons the map cannot express (untagged, bad propagation). */
  readonly otherProblems: string[];
  /** Untagged spans that were checked by trace membership only. */
  readonly untaggedChecked: number;
  /** Requests missing a span of some client. */
  readonly incomplete: string[];
}

const REQUIRED = ['pg', 'mysql2', 'ioredis', 'aws-sdk', 'fetch', 'amqplib'];

export function appParentCheck(
  spans: readonly RecordedSpan[],
  sent: readonly SentRequest[],
  peerTraceparents?: ReadonlyMap<string, string | undefined>,
): AppParentCheck {
  const byId = new Map(sent.map((s) => [s.id, s]));
  const byTrace = new Map(sent.map((s) => [s.traceId, s]));
  const servers = new Map<string, RecordedSpan>();
  const publishes = new Map<string, RecordedSpan>();
  const components = new Map<string, Set<string>>();
  for (const span of spans) {
    const id = span.tags[REQUEST_TAG] as string | undefined;
    if (id === undefined) continue;
    const kind = span.tags['span.kind'];
    if (kind === 'server') servers.set(id, span);
    else if (kind === 'producer') publishes.set(id, span);
    const set = components.get(id) ?? new Set<string>();
    components.set(id, set);
    set.add(String(span.tags.component));
  }

  const expected = new Map<string, ExpectedParent>();
  const otherProblems: string[] = [];
  let untaggedChecked = 0;
  const spanIds = new Set(spans.map((s) => `${s.traceId}/${s.spanId}`));
  for (const span of spans) {
    const id = span.tags[REQUEST_TAG] as string | undefined;
    if (id === undefined) {
      const owner = byTrace.get(span.traceId);
      untaggedChecked++;
      if (owner === undefined || span.parentId === undefined || !spanIds.has(`${span.traceId}/${span.parentId}`)) {
        otherProblems.push(`untagged ${span.name} ${span.spanId} outside any request's tree`);
      }
      continue;
    }
    const request = byId.get(id);
    if (request === undefined) {
      otherProblems.push(`${span.name} tagged with unknown request ${id}`);
      continue;
    }
    const kind = span.tags['span.kind'];
    if (kind === 'server') {
      expected.set(span.spanId, { traceId: request.traceId, parentId: request.parentSpanId });
    } else if (kind === 'consumer') {
      expected.set(span.spanId, { traceId: request.traceId, parentId: publishes.get(id)?.spanId ?? 'no publish span' });
    } else {
      expected.set(span.spanId, { traceId: request.traceId, parentId: servers.get(id)?.spanId ?? 'no server span' });
    }
  }

  if (peerTraceparents !== undefined) {
    const fetchSpans = new Map<string, RecordedSpan>();
    for (const span of spans) {
      const id = span.tags[REQUEST_TAG] as string | undefined;
      if (id !== undefined && span.tags.component === 'fetch') fetchSpans.set(id, span);
    }
    for (const request of sent) {
      const header = peerTraceparents.get(request.id);
      const fetchSpan = fetchSpans.get(request.id);
      if (header === undefined || fetchSpan === undefined) continue;
      const [, traceId, parentId] = header.split('-');
      if (traceId !== request.traceId || parentId !== fetchSpan.spanId) {
        otherProblems.push(
          `peer got traceparent ${header} for ${request.id}, expected ${request.traceId}/${fetchSpan.spanId}`,
        );
      }
    }
  }

  const incomplete: string[] = [];
  for (const request of sent) {
    const seen = components.get(request.id) ?? new Set();
    const missing = REQUIRED.filter((c) => !seen.has(c));
    if (missing.length > 0 || !servers.has(request.id)) incomplete.push(`${request.id}: missing ${missing.join(', ')}`);
  }
  return { expected, otherProblems, untaggedChecked, incomplete };
}
