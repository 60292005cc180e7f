import { afterEach, describe, expect, it } from 'vitest';
import { capLength, configure, resetConfig, TRUNCATION_MARKER } from '../../src/core/index.js';
import {
  firstSqlWord,
  paramsTag,
  sanitizeErrorMessage,
  sanitizeSql,
  sqlOperationName,
  statementTag,
} from '../../src/core/sql/index.js';

afterEach(() => resetConfig());

describe('sanitizeSql: literals become ?', () => {
  it.each([
    ["SELECT * FROM t WHERE a = 'secret'", 'SELECT * FROM t WHERE a = ?'],
    ["SELECT 'it''s' , 'x'", 'SELECT ? , ?'],
    ['SELECT 1, 2.5, .5, 1e10, 1.5E-3, 0x1F, 0b101, 1_000', 'SELECT ?, ?, ?, ?, ?, ?, ?, ?'],
    ["SELECT X'1F', x'00', B'0101', N'nat', E'esc\\'aped', U&'d\\0061t', _utf8mb4'abc'", 'SELECT ?, ?, ?, ?, ?, ?, ?'],
    ['UPDATE t SET flag = TRUE, other = false WHERE x IS NULL', 'UPDATE t SET flag = ?, other = ? WHERE x IS NULL'],
    ['SELECT $$dollar secret$$, $tag$ with $$ inside $tag$', 'SELECT ?, ?'],
    ['SELECT -5, a-1 FROM t1', 'SELECT -?, a-? FROM t1'],
  ])('%s', (input, expected) => {
    expect(sanitizeSql(input, { dialect: 'postgresql' })).toBe(expected);
  });

  it('keeps identifiers, quoted identifiers, placeholders, casts and operators', () => {
    expect(sanitizeSql('SELECT "Weird ""Col""", t2.c3, $1::int, ? , :name FROM s.t2 WHERE a >= $2')).toBe(
      'SELECT "Weird ""Col""", t2.c3, $1::int, ? , :name FROM s.t2 WHERE a >= $2',
    );
    expect(sanitizeSql('SELECT `col`, a$b FROM `db`.`t`', { dialect: 'mysql' })).toBe(
      'SELECT `col`, a$b FROM `db`.`t`',
    );
  });

  it('mysql: backslash escapes and double-quoted strings are literals', () => {
    expect(sanitizeSql(`INSERT INTO t VALUES ('it\\'s secret', "dq secret", 'a\\\\')`, { dialect: 'mysql' })).toBe(
      'INSERT INTO t VALUES (?, ?, ?)',
    );
  });

  it('postgresql: a backslash does not escape in a standard string', () => {
    expect(sanitizeSql(`SELECT 'C:\\', 'secret'`, { dialect: 'postgresql' })).toBe('SELECT ?, ?');
  });

  it('collapses IN lists of literals and placeholders, not subqueries', () => {
    expect(sanitizeSql("SELECT * FROM t WHERE id IN (1, 2, 3) AND s in ('a','b') AND z IN ($1, $2)")).toBe(
      'SELECT * FROM t WHERE id IN (?) AND s IN (?) AND z IN (?)',
    );
    expect(sanitizeSql('SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE v IN (1,2))')).toBe(
      'SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE v IN (?))',
    );
    expect(sanitizeSql('SELECT * FROM t WHERE id NOT IN(?, ?)')).toBe('SELECT * FROM t WHERE id NOT IN (?)');
    expect(sanitizeSql('SELECT min, join_in, in_x FROM t')).toBe('SELECT min, join_in, in_x FROM t');
  });

  it('drops comments of every kind and collapses whitespace', () => {
    expect(sanitizeSql('SELECT a /* c */ b -- end')).toBe('SELECT a b');
    expect(sanitizeSql('  SELECT\n\n  a  ,\tb  ')).toBe('SELECT a , b');
    expect(
      sanitizeSql("/* lead 'x' */ SELECT  a -- trailing 'secret'\n ,b/*in*/FROM\tt # hash 'secret'", {
        dialect: 'mysql',
      }),
    ).toBe('SELECT a ,b FROM t');
    expect(sanitizeSql('SELECT 1 /* outer /* nested */ still comment */ FROM t', { dialect: 'postgresql' })).toBe(
      'SELECT ? FROM t',
    );
    // `#` is an operator in PostgreSQL, not a comment.
    expect(sanitizeSql('SELECT 5 # 3', { dialect: 'postgresql' })).toBe('SELECT ? # ?');
  });
});

describe('sanitizeSql: hostile input', () => {
  it('unbalanced quotes hide everything after them, never leak it', () => {
    expect(sanitizeSql("SELECT 'unterminated secret")).toBe('SELECT ?');
    expect(sanitizeSql('SELECT "unterminated ident secret')).toBe('SELECT ?');
    expect(sanitizeSql("SELECT 'a\\', 'secret2", { dialect: 'postgresql' })).toBe('SELECT ?, ?');
    expect(sanitizeSql("SELECT 'a\\'secret2", { dialect: 'mysql' })).toBe('SELECT ?');
    expect(sanitizeSql('SELECT `unterminated secret', { dialect: 'mysql' })).toBe('SELECT ?');
    expect(sanitizeSql('SELECT $$ never closed secret')).toBe('SELECT ?');
    expect(sanitizeSql('SELECT 1 /* never closed secret')).toBe('SELECT ?');
    expect(sanitizeSql("SELECT ''''")).toBe('SELECT ?');
  });

  it('never throws: binary, lone surrogates, NUL, non-strings', () => {
    const binary = String.fromCharCode(...Array.from({ length: 4096 }, (_, i) => (i * 7919) % 65536));
    expect(() => sanitizeSql(binary)).not.toThrow();
    expect(typeof sanitizeSql(binary, { dialect: 'mysql' })).toBe('string');
    expect(sanitizeSql("SELECT '\uD800\u0000 secret' \uDC00")).toBe('SELECT ? \uDC00');
    expect(sanitizeSql(undefined as unknown as string)).toBe('');
    expect(sanitizeSql(42 as unknown as string)).toBe('');
    expect(sanitizeSql('')).toBe('');
  });

  it('random input never throws and never echoes a quoted secret', () => {
    const alphabet = [
      "'",
      '"',
      '`',
      '\\',
      '$',
      '$$',
      '--',
      '/*',
      '*/',
      '#',
      '\n',
      ' ',
      'IN (',
      ',',
      ')',
      '1',
      'x',
      'E',
    ];
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let round = 0; round < 2000; round++) {
      let text = '';
      for (let k = 0; k < 30; k++) text += alphabet[rand() % alphabet.length];
      for (const dialect of ['postgresql', 'mysql', 'standard'] as const) {
        expect(() => sanitizeSql(text, { dialect })).not.toThrow();
        expect(sanitizeSql(`SELECT 'SECRETMARK' ${text}`, { dialect })).not.toContain('SECRETMARK');
      }
    }
  });

  function timeOf(fn: () => void): number {
    const start = performance.now();
    fn();
    return performance.now() - start;
  }

  /**
   * Times of one sanitization of `small` and of `large`, the fastest of up to three tries. A
   * single run of a 10 MB input can meet a GC of its own 10 MB strings or a preempted time
   * slice (41x once, on a loaded machine), which says nothing about the algorithm: a try is
   * repeated only when the first looks superlinear, and the fastest runs are kept.
   */
  function timesOf(run: (text: string) => void, small: string, large: string): { t1: number; t10: number } {
    let t1 = Number.POSITIVE_INFINITY;
    let t10 = Number.POSITIVE_INFINITY;
    for (let attempt = 0; attempt < 3; attempt++) {
      t1 = Math.min(
        t1,
        Math.max(
          timeOf(() => run(small)),
          1,
        ),
      );
      t10 = Math.min(
        t10,
        timeOf(() => run(large)),
      );
      if (t10 / t1 < 40 && t10 < 5_000) break;
    }
    return { t1, t10 };
  }

  it.each([
    ['unterminated quotes', (n: number) => "'".repeat(1) + 'a'.repeat(n)],
    ['many quotes', (n: number) => "'a' ".repeat(n / 4)],
    ['many escaped quotes in mysql', (n: number) => `'${"\\'".repeat(n / 2)}`],
    ['backslash runs', (n: number) => `'${'\\'.repeat(n)}`],
    ['dollar signs', (n: number) => '$a'.repeat(n / 2)],
    ['IN lists without end', (n: number) => `x IN (${'?,'.repeat(n / 2)}`],
    ['repeated IN', (n: number) => 'IN (1 '.repeat(n / 6)],
    ['nested comment openers', (n: number) => '/*'.repeat(n / 2)],
    ['numbers', (n: number) => '1e-'.repeat(n / 3)],
  ])(
    'linear time on 1 MB vs 10 MB of %s',
    (_name, make) => {
      const small = make(1_000_000);
      const large = make(10_000_000);
      for (const dialect of ['postgresql', 'mysql'] as const) {
        sanitizeSql(small, { dialect }); // warm up
        const { t1, t10 } = timesOf((text) => sanitizeSql(text, { dialect }), small, large);
        // Linear is ~10x; quadratic would be ~100x. Generous for a shared 2-core machine.
        expect(t10 / t1).toBeLessThan(40);
        expect(t10).toBeLessThan(5_000);
      }
      // Two dialects, each allowed 5 s above: the test's own time limit must cover what it asserts
      // (vitest's default of 5 s did not, and cut it short on a loaded machine).
    },
    30_000,
  );

  it('with a limit, a multi-megabyte statement costs what is recorded', () => {
    const huge = `INSERT INTO t VALUES ${"('x', 1), ".repeat(1_000_000)}('y', 2)`;
    const out = sanitizeSql(huge, { limit: 2048 });
    expect(out.length).toBeLessThan(2100);
    expect(out.startsWith('INSERT INTO t VALUES (?, ?), (?, ?)')).toBe(true);
  });
});

describe('operation names', () => {
  it('uses the first word, uppercased, after comments and parentheses', () => {
    expect(sqlOperationName('pg', 'select 1')).toBe('pg:SELECT');
    expect(sqlOperationName('pg', "  /* app='x' */ -- c\n (Insert INTO t) ")).toBe('pg:INSERT');
    expect(sqlOperationName('mysql2', '# c\nwith x as (select 1) select * from x')).toBe('mysql2:WITH');
    expect(sqlOperationName('pg', undefined, 'get-user')).toBe('pg:get-user');
    expect(sqlOperationName('pg', '', 'get-user')).toBe('pg:get-user');
    expect(sqlOperationName('pg', '123')).toBe('pg:QUERY');
    expect(firstSqlWord('a'.repeat(1000))).toHaveLength(32);
    expect(firstSqlWord(42 as unknown as string)).toBeUndefined();
  });
});

describe('statement option and capping', () => {
  const sql = "SELECT * FROM users WHERE email = 'alice@example.com'";

  it('sanitized by default, raw, off, or a function; all capped', () => {
    expect(statementTag(sql, undefined, 2048, 'postgresql')).toBe('SELECT * FROM users WHERE email = ?');
    expect(statementTag(sql, 'sanitized', 2048, 'postgresql')).toBe('SELECT * FROM users WHERE email = ?');
    expect(statementTag(sql, 'raw', 2048, 'postgresql')).toBe(sql);
    expect(statementTag(sql, 'off', 2048, 'postgresql')).toBeUndefined();
    expect(statementTag(sql, (s) => s.slice(0, 6), 2048, 'postgresql')).toBe('SELECT');
    expect(statementTag(sql, 'raw', 30, 'postgresql')).toBe(capLength(sql, 30));
    expect(statementTag(sql, 'raw', 30, 'postgresql')?.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(statementTag(sql, 'raw', 30, 'postgresql')).toHaveLength(30);
  });

  it('a throwing statement function records nothing and is reported', () => {
    const faults: string[] = [];
    const tag = statementTag(
      sql,
      () => {
        throw new Error('boom');
      },
      2048,
      'postgresql',
      (_e, source) => faults.push(source),
    );
    expect(tag).toBeUndefined();
    expect(faults).toEqual(['statement']);
  });

  it('a long sanitized statement ends in the truncation marker at the configured length', () => {
    configure({ maxStatementLength: 100 });
    const long = `SELECT ${'column_name, '.repeat(100)}x FROM t`;
    const tag = statementTag(long, 'sanitized', 100, 'postgresql');
    expect(tag).toHaveLength(100);
    expect(tag?.endsWith(TRUNCATION_MARKER)).toBe(true);
  });
});

describe('parameters and error messages', () => {
  it('params: positional and named, Buffers summarized, strings capped, the whole capped', () => {
    expect(paramsTag([1, 'a', null, Buffer.from('secret-bytes'), true], 2048)).toBe(
      '[1, "a", null, <Buffer 12 bytes>, true]',
    );
    expect(paramsTag({ id: 1, name: 'x' }, 2048)).toBe('{"id": 1, "name": "x"}');
    expect(paramsTag([], 2048)).toBeUndefined();
    expect(paramsTag(undefined, 2048)).toBeUndefined();
    const long = paramsTag(['y'.repeat(1000)], 2048) ?? '';
    expect(long.length).toBeLessThan(300);
    expect(long).toContain(TRUNCATION_MARKER);
    const many =
      paramsTag(
        Array.from({ length: 100_000 }, (_, i) => i),
        64,
      ) ?? '';
    expect(many).toHaveLength(64);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(paramsTag([cyclic, new Date(0)], 2048)).toBe('[[object], 1970-01-01T00:00:00.000Z]');
  });

  it('server error messages lose their quoted values', () => {
    expect(sanitizeErrorMessage("Duplicate entry 'SECRET@x' for key 'users.email'")).toBe(
      'Duplicate entry ? for key ?',
    );
    expect(sanitizeErrorMessage('invalid input syntax for type integer: "SECRET"')).toBe(
      'invalid input syntax for type integer: ?',
    );
  });
});
