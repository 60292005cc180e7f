/** Peer and database tags of a mysql2 object, computed once when it is wrapped. */
import { sqlFixedTags } from '../../core/sql/index.js';
import type { TagMap } from '../../core/tags.js';
import type { MysqlConnectionConfigLike, MysqlObjectLike } from './internal-types.js';

/** The connection config behind any mysql2 object; a cluster has none (many servers). */
function configOf(target: MysqlObjectLike, depth = 0): MysqlConnectionConfigLike | undefined {
  if (depth > 3 || target === null || typeof target !== 'object') return undefined;
  const config = target.config;
  if (config !== undefined && config !== null && typeof config === 'object') {
    return (
      config.connectionConfig ?? (config.host !== undefined || config.socketPath !== undefined ? config : undefined)
    );
  }
  const inner = target.connection ?? target.pool;
  return inner === undefined ? undefined : configOf(inner, depth + 1);
}

export function mysqlTags(target: MysqlObjectLike): TagMap {
  const config = configOf(target) ?? {};
  return sqlFixedTags('mysql', {
    host: config.socketPath ?? config.host,
    port: config.socketPath === undefined ? config.port : undefined,
    database: config.database,
    user: config.user,
  });
}
