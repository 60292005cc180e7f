export { type PgQueryInfo, type PgTracingOptions, tracedPg } from './clients/pg/index.js';
