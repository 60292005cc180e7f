/** The public surface of the mysql2 client: `tracedMysql` and its option and hook types. */
export { type MysqlTraceable, tracedMysql } from './traced-mysql.js';
export type { MysqlQueryInfo, MysqlTracingOptions } from './types.js';
