import { isIP } from 'node:net';
import { capLength, firstHeader, getConfig, type HeaderValue } from '../core/index.js';
import type { NodeRequest, RequestWrapper, TrustProxy } from './types.js';

/** Options of {@link IncomingMessageRequest}. */
export interface IncomingMessageRequestOptions {
  /** @default false */
  readonly trustProxy?: TrustProxy;
  /** @default `configure({ callerNameHeaders })` */
  readonly callerNameHeaders?: readonly string[];
  /** @default the request method */
  readonly operation?: string;
}

// A host as a Host header may carry it: a reg-name or IPv4 address, or a bracketed IPv6
// literal (with an optional zone), then an optional port. Anything else (spaces, "/", "@",
// a 16 KB blob) is not trusted and the socket's own address is used instead.
const HOST = /^(?:\[[0-9A-Fa-f:.]+(?:%[\w.~-]+)?\]|[A-Za-z0-9._~!$&'()*+,;=%-]+)(?::\d{1,5})?$/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]{0,15}$/;
const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const MAX_CALLER_NAME = 256;

/**
 * A {@link RequestWrapper} over Node's `IncomingMessage` (or an `http2` compatibility
 * request): the counterpart of the Python original's `WSGIRequestWrapper`. It rebuilds the
 * full URL from the scheme (TLS socket, `:scheme`), the `Host`/`:authority` header (the
 * socket's local address when it is missing or malformed), without the default port, with
 * IPv6 hosts bracketed; `X-Forwarded-*`/`Forwarded` count only under `trustProxy`.
 *
 * @example
 * const span = beforeRequest(new IncomingMessageRequest(req, { trustProxy: true }));
 */
export class IncomingMessageRequest implements RequestWrapper {
  readonly method: string;
  readonly fullUrl: string;
  readonly headers: Readonly<Record<string, HeaderValue>>;
  readonly remoteIp: string | undefined;
  readonly remotePort: number | undefined;
  readonly callerName: string | undefined;
  readonly operation: string;

  constructor(request: NodeRequest, options: IncomingMessageRequestOptions = {}) {
    const headers = request.headers as Readonly<Record<string, HeaderValue>>;
    const socket = request.socket as NodeRequest['socket'] | undefined;
    const trusted = isTrusted(options.trustProxy, socket?.remoteAddress);
    this.method = request.method ?? 'GET';
    this.headers = headers;
    this.fullUrl = fullUrlOf(request, headers, trusted);
    const forwardedFor = trusted ? forwardedPeer(headers) : undefined;
    if (forwardedFor !== undefined) {
      this.remoteIp = forwardedFor.ip;
      this.remotePort = forwardedFor.port;
    } else {
      this.remoteIp = normaliseIp(socket?.remoteAddress);
      this.remotePort = socket?.remotePort;
    }
    const caller = firstHeader(headers, options.callerNameHeaders ?? getConfig().callerNameHeaders);
    this.callerName = caller === undefined ? undefined : capLength(caller, MAX_CALLER_NAME);
    this.operation = options.operation ?? this.method;
  }
}

function isTrusted(trustProxy: TrustProxy | undefined, remoteAddress: string | undefined): boolean {
  if (trustProxy === undefined || trustProxy === false) return false;
  if (trustProxy === true) return true;
  return trustProxy(remoteAddress) === true;
}

function headerString(headers: Readonly<Record<string, HeaderValue>>, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value[0] : String(value);
}

/** The first comma-separated entry of a header, trimmed: the one the outermost proxy set. */
function firstEntry(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const comma = value.indexOf(',');
  const entry = (comma === -1 ? value : value.slice(0, comma)).trim();
  return entry === '' ? undefined : entry;
}

/** One parameter (`proto`, `host`, `for`) of the first element of a `Forwarded` header (RFC 7239). */
function forwardedParam(headers: Readonly<Record<string, HeaderValue>>, key: string): string | undefined {
  const element = firstEntry(headerString(headers, 'forwarded'));
  if (element === undefined) return undefined;
  for (const pair of element.split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1 || pair.slice(0, eq).trim().toLowerCase() !== key) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    return value === '' ? undefined : value;
  }
  return undefined;
}

function schemeOf(request: NodeRequest, headers: Readonly<Record<string, HeaderValue>>, trusted: boolean): string {
  if (trusted) {
    const forwarded = forwardedParam(headers, 'proto') ?? firstEntry(headerString(headers, 'x-forwarded-proto'));
    if (forwarded !== undefined && SCHEME.test(forwarded)) return forwarded.toLowerCase();
  }
  const h2scheme = headerString(headers, ':scheme');
  if (h2scheme !== undefined && SCHEME.test(h2scheme)) return h2scheme.toLowerCase();
  return (request.socket as { encrypted?: boolean } | undefined)?.encrypted === true ? 'https' : 'http';
}

function hostOf(request: NodeRequest, headers: Readonly<Record<string, HeaderValue>>, trusted: boolean): string {
  if (trusted) {
    const forwarded = forwardedParam(headers, 'host') ?? firstEntry(headerString(headers, 'x-forwarded-host'));
    if (forwarded !== undefined && HOST.test(forwarded)) return forwarded;
  }
  const host = headerString(headers, 'host') ?? headerString(headers, ':authority');
  if (host !== undefined && HOST.test(host)) return host;
  // No usable Host header (HTTP/1.0, or a hostile one): the address the request came in on.
  const socket = request.socket as { localAddress?: string; localPort?: number } | undefined;
  const address = normaliseIp(socket?.localAddress) ?? 'localhost';
  const bracketed = isIP(address) === 6 ? `[${address}]` : address;
  return socket?.localPort === undefined ? bracketed : `${bracketed}:${socket.localPort}`;
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: '80', https: '443', ws: '80', wss: '443' };

function withoutDefaultPort(host: string, scheme: string): string {
  const colon = host.lastIndexOf(':');
  // A colon inside brackets belongs to an IPv6 address, not a port.
  if (colon === -1 || colon < host.lastIndexOf(']')) return host.toLowerCase();
  const port = host.slice(colon + 1);
  const name = host.slice(0, colon).toLowerCase();
  return port === '' || port === DEFAULT_PORTS[scheme] ? name : `${name}:${port}`;
}

function fullUrlOf(request: NodeRequest, headers: Readonly<Record<string, HeaderValue>>, trusted: boolean): string {
  // Express rewrites `req.url` inside mounted routers and keeps the original here.
  const path = (request as { originalUrl?: unknown }).originalUrl;
  const target = typeof path === 'string' ? path : (request.url ?? '/');
  // Absolute-form request target (a client talking to a proxy): already a full URL.
  if (ABSOLUTE_FORM.test(target)) return target;
  const scheme = schemeOf(request, headers, trusted);
  const host = withoutDefaultPort(hostOf(request, headers, trusted), scheme);
  return `${scheme}://${host}${target.startsWith('/') ? target : `/${target}`}`;
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) → `10.0.0.1`. */
function normaliseIp(address: string | undefined): string | undefined {
  if (address === undefined || address === '') return undefined;
  if (address.startsWith('::ffff:') && isIP(address.slice(7)) === 4) return address.slice(7);
  return address;
}

function forwardedPeer(headers: Readonly<Record<string, HeaderValue>>): { ip: string; port?: number } | undefined {
  const raw = forwardedParam(headers, 'for') ?? firstEntry(headerString(headers, 'x-forwarded-for'));
  if (raw === undefined) return undefined;
  let ip = raw;
  let port: number | undefined;
  if (ip.startsWith('[')) {
    // RFC 7239: "[2001:db8::1]:4711"
    const close = ip.indexOf(']');
    if (close === -1) return undefined;
    const rest = ip.slice(close + 1);
    ip = ip.slice(1, close);
    if (rest.startsWith(':')) port = Number(rest.slice(1));
  } else if (isIP(ip) === 0 && ip.indexOf(':') === ip.lastIndexOf(':')) {
    // "192.0.2.60:4711"
    const colon = ip.indexOf(':');
    if (colon !== -1) {
      port = Number(ip.slice(colon + 1));
      ip = ip.slice(0, colon);
    }
  }
  const normalised = normaliseIp(ip);
  if (normalised === undefined || isIP(normalised) === 0) return undefined;
  return Number.isInteger(port) && (port as number) > 0 && (port as number) < 65536
    ? { ip: normalised, port: port as number }
    : { ip: normalised };
}
