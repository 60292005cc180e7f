/**
 * The tags of the `span-floor` variant: for each client, the tags the design's table
 * ("Names and tags") names for it, with the values our traced client records, and nothing
 * more. A wrapper that records what the design asks cannot record it for free (the SDK stores
 * each attribute, and holds it until export), so this floor is the least a conforming
 * OpenTracing wrapper can cost; the tags our clients add beyond the table count against them.
 */
import { isIP } from 'node:net';
import { Tags } from 'opentracing';
import type { FloorTags } from './types.js';

/** `peer.hostname` / `peer.ipv4` / `peer.ipv6` and `peer.port` of a server. */
export function peerTags(host: string, port: number): FloorTags {
  const family = isIP(host);
  const key = family === 4 ? Tags.PEER_HOST_IPV4 : family === 6 ? Tags.PEER_HOST_IPV6 : Tags.PEER_HOSTNAME;
  return { [key]: host, [Tags.PEER_PORT]: port };
}

/** A span's tags: `span.kind` (client unless given), `component`, then the client's own. */
export function clientTags(component: string, tags: FloorTags, kind: string = Tags.SPAN_KIND_RPC_CLIENT): FloorTags {
  return { [Tags.SPAN_KIND]: kind, [Tags.COMPONENT]: component, ...tags };
}

/** Where a SQL client connects, as its pool was configured. */
export interface SqlTarget {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
}

/** A SQL service's address as its URL gives it, with the client's defaults for what the URL leaves out. */
function sqlTargetOf(url: URL, defaults: { port: number; user: string; database: string }): SqlTarget {
  return {
    host: url.hostname,
    port: Number(url.port) || defaults.port,
    database: url.pathname.slice(1) || defaults.database,
    user: decodeURIComponent(url.username) || defaults.user,
  };
}

/** pg's: its pools connect by the URL itself, so the floor tags what the URL says (empty where it says nothing). */
export function pgTarget(url: URL): SqlTarget {
  return sqlTargetOf(url, { port: 5432, user: '', database: '' });
}

/** mysql2's: its pools are created from this target, so the defaults are what they connect with. */
export function mysqlTarget(url: URL): SqlTarget {
  return sqlTargetOf(url, { port: 3306, user: 'root', database: 'test' });
}

/** pg and mysql2: `db.type`, `db.instance`, `db.user`, `db.statement` (sanitized) and the peer. */
export function sqlTags(component: string, target: SqlTarget, statement: string): FloorTags {
  return clientTags(component, {
    [Tags.DB_TYPE]: 'sql',
    [Tags.DB_INSTANCE]: target.database,
    [Tags.DB_USER]: target.user,
    ...peerTags(target.host, target.port),
    [Tags.DB_STATEMENT]: statement,
  });
}
