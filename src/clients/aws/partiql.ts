/**
 * PartiQL statements for tags: the table a statement reads or writes, and the statement
 * itself sanitized like SQL (literals → `?`, with the SQL core's `standard` dialect: `'…'`
 * strings, `"…"` identifiers). Parameters are never looked at.
 */
import { capLength } from '../../core/index.js';
import { sanitizeSql } from '../../core/sql/index.js';

// The first identifier after FROM / INTO / UPDATE: `"orders"`, `orders`, `"orders"."byDate"`.
const TABLE = /\b(?:from|into|update)\s+(?:"((?:[^"]|"")+)"|([A-Za-z_][\w.-]*))/i;

/** The table a PartiQL statement names, or `undefined`. Scans at most 512 characters. */
export function partiqlTable(statement: string): string | undefined {
  const match = TABLE.exec(statement.length > 512 ? statement.slice(0, 512) : statement);
  if (match === null) return undefined;
  return match[1] !== undefined ? match[1].replace(/""/g, '"') : match[2];
}

/** The statement as recorded: sanitized (literals → `?`), then capped at `max`. */
export function partiqlStatement(statement: string, max: number): string {
  return capLength(sanitizeSql(statement, { dialect: 'standard', limit: max }), max);
}
