/**
 * Prints the figures the reliability suite recorded (JSON lines in the file named by the first
 * argument or RELIABILITY_FIGURES) and exits non-zero when a must-be-zero figure is not zero,
 * a heap growth reaches its limit, or nothing was recorded at all.
 *
 * usage: tsx scripts/reliability-report.ts <figures.jsonl> [vitest exit code]
 */
import { existsSync, readFileSync } from 'node:fs';
import { aggregate, FIGURE, type Figure, violations } from '../test/reliability/lib/figures.js';

const file = process.argv[2] ?? process.env.RELIABILITY_FIGURES ?? '';
const vitestCode = Number(process.argv[3] ?? 0);
const figures: Figure[] = existsSync(file)
  ? readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Figure)
  : [];

const all = aggregate(figures);
const value = (name: string) => all.find((f) => f.name === name)?.value ?? 0;
const bad = violations(figures);

const width = Math.max(...all.map((f) => f.name.length), 40);
console.log('\n── reliability figures ──────────────────────────────────────────────');
console.log(
  `${'spans checked / misparented'.padEnd(width)}  ${value(FIGURE.SPANS_CHECKED)} / ${value(FIGURE.MISPARENTED)}`,
);
console.log(
  `${'started / finished / double-finished / unfinished'.padEnd(width)}  ${value(FIGURE.STARTED)} / ${value(FIGURE.FINISHED)} / ${value(FIGURE.DOUBLE_FINISHED)} / ${value(FIGURE.UNFINISHED)}`,
);
for (const f of all) {
  const rule = f.mustBeZero ? '(must be 0)' : f.limit !== undefined ? `(must be < ${f.limit})` : '';
  const flag = bad.includes(f) ? '  ✗' : '';
  console.log(`${f.name.padEnd(width)}  ${String(f.value).padStart(10)} ${rule}${flag}`);
}
console.log('─────────────────────────────────────────────────────────────────────');

let code = 0;
if (figures.length === 0) {
  console.log(`no figures recorded (${file === '' ? 'RELIABILITY_FIGURES not set' : `${file} missing or empty`})`);
  code = 1;
}
for (const f of bad) {
  console.log(`✗ ${f.name} = ${f.value} (${f.source})`);
  code = 1;
}
if (vitestCode !== 0) {
  console.log(`✗ the test run itself failed (vitest exit code ${vitestCode})`);
  code = 1;
}
if (code === 0) console.log('✓ every must-be-zero figure is zero');
process.exitCode = code;
