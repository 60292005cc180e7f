/**
 * PartiQL statements for tags: the table a statement reads or writes, and the statement
 * itself sanitized like SQL (literals → `?`). Parameters are never looked at.
 */
import { capLength } from '../../core/index.js';

// The first identifier after FROM / INTO / UPDATE: `"orders"`, `orders`, `"orders"."byDate"`.
const TABLE = /\b(?:from|into|update)\s+(?:"((?:[^"]|"")+)"|([A-Za-z_][\w.-]*))/i;

/** The table a PartiQL statement names, or `undefined`. Scans at most 512 characters. */
export function partiqlTable(statement: string): string | undefined {
  const match = TABLE.exec(statement.length > 512 ? statement.slice(0, 512) : statement);
  if (match === null) return undefined;
  return match[1] !== undefined ? match[1].replace(/""/g, '"') : match[2];
}

/**
 * The statement as recorded: sanitized, then capped at `max`. Until the SQL sanitizer is
 * available nothing is recorded (`undefined`): an unsanitized statement can hold item data.
 */
export function partiqlStatement(_statement: string, _max: number): string | undefined {
  void capLength;
  return undefined;
}
