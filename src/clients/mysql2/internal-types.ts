/** The parts of mysql2's internals the traced client reads. Never exported. */

export interface MysqlConnectionConfigLike {
  readonly host?: string;
  readonly port?: number;
  readonly database?: string;
  readonly user?: string;
  readonly socketPath?: string;
}

/** Any mysql2 object: a connection, pool, cluster, namespace, or one of their promise views. */
export interface MysqlObjectLike {
  /** Connection */
  readonly config?: MysqlConnectionConfigLike & { readonly connectionConfig?: MysqlConnectionConfigLike };
  /** PromiseConnection / PromisePoolConnection */
  readonly connection?: MysqlObjectLike;
  /** PromisePool */
  readonly pool?: MysqlObjectLike;
}
