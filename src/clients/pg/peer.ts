/** Peer and database tags of a pg Pool or Client, computed once when it is wrapped. */
import { guard } from '../../core/index.js';
import { type SqlPeer, sqlFixedTags } from '../../core/sql/index.js';
import type { TagMap } from '../../core/tags.js';
import type { PgClientLike, PgPoolLike } from './internal-types.js';

function fromConnectionString(connectionString: string | undefined): SqlPeer {
  if (connectionString === undefined) return {};
  const url = guard('tags.pg', () => new URL(connectionString));
  if (url === undefined) return {};
  return {
    host: url.hostname.replace(/^\[|\]$/g, '') || url.searchParams.get('host') || undefined,
    port: url.port || undefined,
    database: decodeURIComponent(url.pathname.slice(1)) || undefined,
    user: decodeURIComponent(url.username) || undefined,
  };
}

/** A Client knows its resolved parameters; a Pool only its options (then env, then pg's defaults). */
export function pgTags(target: PgPoolLike | PgClientLike, isPool: boolean): TagMap {
  let peer: SqlPeer;
  if (isPool) {
    const options = (target as PgPoolLike).options ?? {};
    const parsed = fromConnectionString(options.connectionString);
    const env = process.env;
    peer = {
      host: options.host ?? parsed.host ?? env.PGHOST ?? 'localhost',
      port: options.port ?? parsed.port ?? env.PGPORT ?? 5432,
      database: options.database ?? parsed.database ?? env.PGDATABASE,
      user: options.user ?? parsed.user ?? env.PGUSER,
    };
  } else {
    const client = target as PgClientLike;
    peer = { host: client.host, port: client.port, database: client.database, user: client.user };
  }
  return sqlFixedTags('postgresql', peer);
}
