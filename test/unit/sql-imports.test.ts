import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('pg and mysql2 are imported only as types', () => {
  it('no runtime import of pg, pg-*, or mysql2 anywhere under src', () => {
    const offenders: string[] = [];
    for (const file of files('src')) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(
        /^\s*(import|export)\s+(?!type\b)[^;]*?from\s+'(pg|pg-[\w-]+|mysql2)(\/[\w/]+)?'/gm,
      )) {
        offenders.push(`${file}: ${match[0].trim()}`);
      }
      if (/\b(require|import)\(\s*'(pg|mysql2)/.test(text)) offenders.push(`${file}: dynamic import`);
    }
    expect(offenders).toEqual([]);
  });
});
