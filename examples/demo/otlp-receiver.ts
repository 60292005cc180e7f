/**
 * A minimal OTLP/HTTP JSON trace receiver on 127.0.0.1: what a collector does on
 * `POST /v1/traces`, enough for the demo to gather the spans of its three processes and for
 * the tests to assert what the exporter really sent. It decodes the JSON encoding of
 * `ExportTraceServiceRequest` (ids hex or base64, times as strings or numbers, gzip or not).
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';

export type AttributeValue = string | number | boolean | null | AttributeValue[];

export interface ReceivedSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentId: string | undefined;
  readonly name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  readonly startMs: number;
  readonly durationMs: number;
  readonly error: boolean;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly events: readonly { name: string; attributes: Readonly<Record<string, AttributeValue>> }[];
}

interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: OtlpAnyValue[] };
}
interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: OtlpKeyValue[];
  events?: { name: string; attributes?: OtlpKeyValue[] }[];
  status?: { code?: number };
}
interface OtlpRequest {
  resourceSpans?: {
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: { spans?: OtlpSpan[] }[];
  }[];
}

function value(v: OtlpAnyValue | undefined): AttributeValue {
  if (v === undefined) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(value);
  return null;
}

function attributes(list: OtlpKeyValue[] | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const { key, value: v } of list ?? []) out[key] = value(v);
  return out;
}

/** Ids arrive hex-encoded from the JS exporter's JSON mode, base64 from protobuf-JSON peers. */
function id(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (/^[0-9a-f]+$/i.test(raw) && (raw.length === 16 || raw.length === 32)) return raw.toLowerCase();
  return Buffer.from(raw, 'base64').toString('hex');
}

const nanosToMs = (n: string | number): number => Number(BigInt(n) / 1000n) / 1000;

export function decodeTraces(body: OtlpRequest): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of body.resourceSpans ?? []) {
    const service = String(attributes(resourceSpans.resource?.attributes)['service.name'] ?? 'unknown');
    for (const scope of resourceSpans.scopeSpans ?? []) {
      for (const s of scope.spans ?? []) {
        const startMs = nanosToMs(s.startTimeUnixNano);
        spans.push({
          service,
          traceId: id(s.traceId) ?? '',
          spanId: id(s.spanId) ?? '',
          parentId: id(s.parentSpanId),
          name: s.name,
          kind: s.kind ?? 0,
          startMs,
          durationMs: nanosToMs(s.endTimeUnixNano) - startMs,
          error: s.status?.code === 2,
          attributes: attributes(s.attributes),
          events: (s.events ?? []).map((e) => ({ name: e.name, attributes: attributes(e.attributes) })),
        });
      }
    }
  }
  return spans;
}

export interface OtlpReceiver {
  /** Base URL to give an exporter: `http://127.0.0.1:<port>` (it appends `/v1/traces`). */
  readonly url: string;
  readonly spans: ReceivedSpan[];
  /** Number of export requests received. */
  readonly requests: number;
  /** Resolves once at least `count` spans arrived, or rejects after `timeoutMs`. */
  waitForSpans(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  let requests = 0;
  const waiters = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST' || !req.url?.startsWith('/v1/traces')) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        let raw = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
        if (!String(req.headers['content-type']).includes('json')) {
          res.writeHead(415, { 'content-type': 'application/json' }).end('{"error":"send OTLP/HTTP JSON"}');
          return;
        }
        spans.push(...decodeTraces(JSON.parse(raw.toString('utf8')) as OtlpRequest));
        requests++;
        for (const wake of waiters) wake();
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch (error) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(error) }));
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    get requests() {
      return requests;
    },
    waitForSpans(count, timeoutMs = 10_000) {
      if (spans.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`OTLP receiver: ${spans.length} of ${count} spans after ${timeoutMs} ms`));
        }, timeoutMs);
        const check = () => {
          if (spans.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
