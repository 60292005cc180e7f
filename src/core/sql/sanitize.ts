/**
 * The SQL sanitizer: one hand-written, single-pass scanner that turns a statement into its
 * shape. Literals become `?`, comments are dropped, whitespace is collapsed, identifiers,
 * keywords, operators and placeholders (`$1`, `?`, `:name`) are kept.
 *
 * Why a scanner and not regular expressions: statements are user input of any size
 * (multi-megabyte `INSERT`s, binary blobs in literals, an unbalanced quote). Every branch
 * below moves the cursor forward and every search (`indexOf`) starts at the cursor and is
 * done once per consumed region, so the cost is linear in the input whatever it holds; an
 * unterminated literal or comment swallows the rest of the text (replaced by `?` or
 * dropped), which is the safe side: nothing after an unbalanced quote can leak.
 */

/** The SQL dialect's lexical rules that matter for sanitizing. */
export type SqlDialect = 'postgresql' | 'mysql' | 'standard';

/** Options of {@link sanitizeSql}. */
export interface SanitizeSqlOptions {
  /**
   * `mysql`: backslash escapes in every string, `"…"` is a string, `#` starts a comment,
   * backticks quote identifiers. `postgresql`: backslash escapes only in `E'…'`, `"…"` is an
   * identifier, `$tag$…$tag$` is a string, block comments nest. `standard` is `postgresql`
   * without nesting and is right for PartiQL and most other SQL-like languages.
   * @default 'standard'
   */
  readonly dialect?: SqlDialect;
  /**
   * Stop once the output is longer than this many characters (the caller caps it anyway);
   * keeps the cost of a multi-megabyte statement proportional to what is recorded.
   * @default unlimited
   */
  readonly limit?: number;
}

const SPACE = 0x20;
const QUOTE = 0x27; // '
const DQUOTE = 0x22; // "
const BACKTICK = 0x60;
const BACKSLASH = 0x5c;
const DOLLAR = 0x24;
const DASH = 0x2d;
const SLASH = 0x2f;
const STAR = 0x2a;
const HASH = 0x23;
const DOT = 0x2e;
const AMP = 0x26;
const OPEN = 0x28;
const CLOSE = 0x29;
const COMMA = 0x2c;
const QMARK = 0x3f;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Letters, `_`, and everything beyond ASCII (identifiers may be Unicode). */
function isIdentStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c >= 0x80;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c) || c === DOLLAR;
}

function isSpace(c: number): boolean {
  return c === SPACE || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0xfeff;
}

/** Index just past the closing `quote` of a literal opened before `from`, or -1 if unterminated. */
function endOfQuoted(text: string, from: number, quote: number, backslash: boolean): number {
  const q = String.fromCharCode(quote);
  let i = from;
  for (;;) {
    const close = text.indexOf(q, i);
    if (close === -1) return -1;
    if (backslash) {
      // The quote is escaped when an odd number of backslashes precede it. Counting back
      // stops at `i`, so each character is looked at a bounded number of times.
      let n = 0;
      for (let j = close - 1; j >= i && text.charCodeAt(j) === BACKSLASH; j--) n++;
      if (n % 2 === 1) {
        i = close + 1;
        continue;
      }
    }
    // A doubled quote is an escaped quote.
    if (text.charCodeAt(close + 1) === quote) {
      i = close + 2;
      continue;
    }
    return close + 1;
  }
}

/** Index just past a block comment that starts at `from` (`/*`), or the text's end. */
function endOfBlockComment(text: string, from: number, nested: boolean): number {
  if (!nested) {
    const close = text.indexOf('*/', from + 2);
    return close === -1 ? text.length : close + 2;
  }
  let depth = 0;
  let i = from;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === SLASH && text.charCodeAt(i + 1) === STAR) {
      depth++;
      i += 2;
    } else if (c === STAR && text.charCodeAt(i + 1) === SLASH) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return n;
}

/** Index just past a number starting at `from` (digits, `.`, exponent, hex/binary, `_`). */
function endOfNumber(text: string, from: number): number {
  let i = from;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isDigit(c) || c === DOT || c === 0x5f || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) {
      i++;
    } else if ((c === 0x2b || c === DASH) && (text.charCodeAt(i - 1) | 0x20) === 0x65 /* e */) {
      // An exponent sign, as in 1e-5; `0xe-1` becomes `?-1` at worst, still no literal left.
      i++;
    } else break;
  }
  return i;
}

/** The dollar-quote tag (`$tag$` or `$$`) that starts at `from`, or undefined. */
function dollarTag(text: string, from: number): string | undefined {
  const n = text.length;
  let i = from + 1;
  if (i < n && text.charCodeAt(i) === DOLLAR) return '$$';
  if (i >= n || !isIdentStart(text.charCodeAt(i))) return undefined;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === DOLLAR) return text.slice(from, i + 1);
    if (!isIdentPart(c) || i - from > 64) return undefined;
    i++;
  }
  return undefined;
}

const BOOLEAN_WORDS = new Set(['TRUE', 'FALSE']);

/**
 * Sanitizes one SQL statement: string, numeric, hex/bit, boolean and dollar-quoted literals
 * become `?`, `IN (…)` lists of literals and placeholders become `IN (?)`, comments are
 * dropped and whitespace collapses to one space. Linear time in the input, never throws
 * (anything unexpected gives `'?'`).
 *
 * @example
 * sanitizeSql("SELECT * FROM users WHERE email = 'a@b.c' AND id IN (1, 2, 3) -- hi")
 * // 'SELECT * FROM users WHERE email = ? AND id IN (?)'
 */
export function sanitizeSql(text: string, options: SanitizeSqlOptions = {}): string {
  if (typeof text !== 'string') return '';
  try {
    return collapseInLists(scan(text, options.dialect ?? 'standard', options.limit ?? Number.POSITIVE_INFINITY));
  } catch {
    // Out of memory on a pathological input, or a bug: never take the query down with us.
    return '?';
  }
}

function scan(text: string, dialect: SqlDialect, limit: number): string {
  const mysql = dialect === 'mysql';
  const n = text.length;
  let out = '';
  let i = 0;
  // Start of a run of characters copied as they are; flushed before anything is replaced.
  let runStart = 0;
  // Whether the output currently ends in a space (collapses whitespace, trims the start).
  let pendingSpace = false;

  // Tracked here, never read back from `out`: reading a character of a string built by `+=`
  // flattens it, which made this scanner quadratic on `'a' 'a' 'a' …` (measured: 60 s per MB).
  let endsInSpace = false;
  const emit = (piece: string) => {
    if (pendingSpace && out.length > 0 && !endsInSpace) out += ' ';
    pendingSpace = false;
    out += piece;
    endsInSpace = piece.charCodeAt(piece.length - 1) === SPACE;
  };
  const flush = (end: number) => {
    if (end > runStart) emit(text.slice(runStart, end));
  };

  while (i < n) {
    if (out.length > limit) return out;
    // (The cap that follows cuts this, so a trailing space does not matter here.)
    const c = text.charCodeAt(i);

    if (isSpace(c)) {
      // One plain space between two tokens is kept as part of the run (the common case,
      // and a measurable share of the cost when every space flushed).
      if (c === SPACE && i > runStart && !isSpace(text.charCodeAt(i + 1)) && i + 1 < n) {
        i++;
        continue;
      }
      flush(i);
      i++;
      while (i < n && isSpace(text.charCodeAt(i))) i++;
      pendingSpace = true;
      runStart = i;
      continue;
    }

    // Comments: dropped, leaving a space so `a/**/b` stays two tokens.
    if ((c === DASH && text.charCodeAt(i + 1) === DASH) || (mysql && c === HASH)) {
      flush(i);
      const eol = text.indexOf('\n', i);
      i = eol === -1 ? n : eol + 1;
      pendingSpace = true;
      runStart = i;
      continue;
    }
    if (c === SLASH && text.charCodeAt(i + 1) === STAR) {
      flush(i);
      i = endOfBlockComment(text, i, dialect === 'postgresql');
      pendingSpace = true;
      runStart = i;
      continue;
    }

    // Strings: '…' everywhere; "…" in MySQL.
    if (c === QUOTE || (mysql && c === DQUOTE)) {
      flush(i);
      const end = endOfQuoted(text, i + 1, c, mysql);
      emit('?');
      i = end === -1 ? n : end;
      runStart = i;
      continue;
    }

    // Quoted identifiers are structure: copied. Unterminated, the rest is hidden.
    if (c === DQUOTE || (mysql && c === BACKTICK)) {
      const end = endOfQuoted(text, i + 1, c, false);
      if (end === -1) {
        flush(i);
        emit('?');
        i = n;
        runStart = n;
      } else i = end;
      continue;
    }

    if (isIdentStart(c)) {
      const start = i;
      i++;
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      const next = text.charCodeAt(i);
      // A prefixed string: X'1F', B'01', N'…', E'…', _utf8mb4'…', U&'…'.
      const unicodePrefix = next === AMP && text.charCodeAt(i + 1) === QUOTE && i - start === 1;
      if (next === QUOTE || unicodePrefix) {
        flush(start);
        const open = unicodePrefix ? i + 1 : i;
        const escaped = mysql || (i - start === 1 && (text.charCodeAt(start) | 0x20) === 0x65); /* e */
        const end = endOfQuoted(text, open + 1, QUOTE, escaped);
        emit('?');
        i = end === -1 ? n : end;
        runStart = i;
        continue;
      }
      const length = i - start;
      const first = text.charCodeAt(start) | 0x20;
      if ((length === 4 && first === 0x74) /* t */ || (length === 5 && first === 0x66) /* f */) {
        if (BOOLEAN_WORDS.has(text.slice(start, i).toUpperCase())) {
          flush(start);
          emit('?');
          runStart = i;
        }
      }
      continue;
    }

    if (isDigit(c) || (c === DOT && isDigit(text.charCodeAt(i + 1)))) {
      flush(i);
      i = endOfNumber(text, i);
      emit('?');
      runStart = i;
      continue;
    }

    if (c === DOLLAR) {
      const next = text.charCodeAt(i + 1);
      if (isDigit(next)) {
        // A positional parameter ($1): structure.
        i += 2;
        while (i < n && isDigit(text.charCodeAt(i))) i++;
        continue;
      }
      if (!mysql) {
        const tag = dollarTag(text, i);
        if (tag !== undefined) {
          flush(i);
          const close = text.indexOf(tag, i + tag.length);
          emit('?');
          i = close === -1 ? n : close + tag.length;
          runStart = i;
          continue;
        }
      }
    }

    i++;
  }
  flush(n);
  // A run may end in the one space that preceded a dropped comment.
  return endsInSpace ? out.slice(0, -1) : out;
}

/** True for `?`, `$n` and `:name` placeholders starting at `i`; returns the index past it or -1. */
function placeholderEnd(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QMARK) return i + 1;
  if (c === DOLLAR || c === 0x3a /* : */) {
    let j = i + 1;
    const first = text.charCodeAt(j);
    if (c === DOLLAR ? !isDigit(first) : !isIdentStart(first)) return -1;
    while (j < text.length && (c === DOLLAR ? isDigit(text.charCodeAt(j)) : isIdentPart(text.charCodeAt(j)))) j++;
    return j;
  }
  return -1;
}

/**
 * `IN (?, ?, $3)` → `IN (?)`, on the sanitized text (single spaces, no comments). A list that
 * holds anything else (a subquery, a column) is left as it is. Each attempt resumes where the
 * previous one stopped, so this pass is linear too.
 */
function collapseInLists(text: string): string {
  let out = '';
  let copied = 0;
  let from = 0;
  const n = text.length;
  for (;;) {
    const at = indexOfInKeyword(text, from);
    if (at === -1) break;
    let i = at + 2;
    if (text.charCodeAt(i) === SPACE) i++;
    if (text.charCodeAt(i) !== OPEN) {
      from = i;
      continue;
    }
    i++;
    let ok = false;
    for (;;) {
      if (text.charCodeAt(i) === SPACE) i++;
      const end = placeholderEnd(text, i);
      if (end === -1) break;
      i = end;
      if (text.charCodeAt(i) === SPACE) i++;
      const c = text.charCodeAt(i);
      if (c === COMMA) {
        i++;
        continue;
      }
      if (c === CLOSE) {
        ok = true;
        i++;
      }
      break;
    }
    if (ok) {
      out += `${text.slice(copied, at)}IN (?)`;
      copied = i;
    }
    from = Math.max(i, at + 2);
    if (from >= n) break;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** Index of the next standalone `IN` word at or after `from`, or -1. */
function indexOfInKeyword(text: string, from: number): number {
  const n = text.length;
  for (let i = from; i < n - 1; i++) {
    const c = text.charCodeAt(i) | 0x20;
    if (c !== 0x69 /* i */ || (text.charCodeAt(i + 1) | 0x20) !== 0x6e /* n */) continue;
    if (i > 0 && isIdentPart(text.charCodeAt(i - 1))) continue;
    if (i + 2 < n && isIdentPart(text.charCodeAt(i + 2))) continue;
    return i;
  }
  return -1;
}
