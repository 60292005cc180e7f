export {
  type MysqlQueryInfo,
  type MysqlTraceable,
  type MysqlTracingOptions,
  tracedMysql,
} from './clients/mysql2/index.js';
