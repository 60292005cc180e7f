/** The public surface of the pg client: `tracedPg` and its option and hook types. */
export { tracedPg } from './traced-pg.js';
export type { PgQueryInfo, PgTracingOptions } from './types.js';
