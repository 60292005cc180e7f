/**
 * Operation names of SQL spans: `<prefix>:<FIRST WORD>` (`pg:SELECT`, `mysql2:INSERT`), the
 * low-cardinality name the Python hooks used too. The first word is read after whitespace,
 * comments and opening parentheses, so `/* app *\/ (SELECT …)` is still a `SELECT`.
 */

const MAX_WORD = 32;

function isLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

/**
 * The statement's first keyword, uppercased, or `undefined` when it does not start with one.
 * Looks at a bounded prefix of the text only after comments are skipped (a comment is
 * skipped with one `indexOf`), so its cost does not grow with the statement.
 */
export function firstSqlWord(text: string): string | undefined {
  if (typeof text !== 'string') return undefined;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0x28 /* ( */ || c === 0xfeff || c === 0xa0) {
      i++;
    } else if (c === 0x2d && text.charCodeAt(i + 1) === 0x2d) {
      const eol = text.indexOf('\n', i);
      i = eol === -1 ? n : eol + 1;
    } else if (c === 0x23 /* # (MySQL) */) {
      const eol = text.indexOf('\n', i);
      i = eol === -1 ? n : eol + 1;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? n : end + 2;
    } else break;
  }
  const start = i;
  while (i < n && i - start < MAX_WORD && isLetter(text.charCodeAt(i))) i++;
  if (i === start) return undefined;
  return text.slice(start, i).toUpperCase();
}

/**
 * `<prefix>:<FIRST WORD>`; `<prefix>:<name>` for a named prepared statement given without
 * its text; `<prefix>:QUERY` when neither says anything.
 *
 * @example
 * sqlOperationName('pg', 'select 1') // 'pg:SELECT'
 */
export function sqlOperationName(prefix: string, text: string | undefined, preparedName?: string): string {
  const word = text === undefined ? undefined : firstSqlWord(text);
  if (word !== undefined) return `${prefix}:${word}`;
  if (preparedName !== undefined && preparedName !== '') return `${prefix}:${preparedName.slice(0, 64)}`;
  return `${prefix}:QUERY`;
}
