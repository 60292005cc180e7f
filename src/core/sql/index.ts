export { firstSqlWord, sqlOperationName } from './operation.js';
export { type SanitizeSqlOptions, type SqlDialect, sanitizeSql } from './sanitize.js';
export { appendSqlComment, sqlCommentFor } from './sql-comment.js';
export {
  DB_PARAMS_TAG,
  type ServerErrorTest,
  type SqlPeer,
  type SqlQuery,
  SqlTracer,
  sqlFixedTags,
} from './sql-tracer.js';
export {
  formatParam,
  paramsTag,
  type SqlRecordingOptions,
  type SqlStatementOption,
  sanitizeErrorMessage,
  statementTag,
} from './statement.js';
