/**
 * Figures the reliability suite reports. Each test file records what it checked; the summary
 * (`scripts/reliability-report.ts`, run at the end of `make stress` and `make reliability`)
 * adds them up, prints them and fails when a must-be-zero figure is not zero.
 *
 * Test files run in separate workers, so figures go to a JSON-lines file named by
 * `RELIABILITY_FIGURES` (appended line by line, which is atomic for short lines); without it
 * they are only kept in memory.
 */
import { appendFileSync } from 'node:fs';

/** How a figure combines across files: counts add up, sizes keep their worst value. */
export type Aggregate = 'sum' | 'max';

export interface Figure {
  readonly name: string;
  readonly value: number;
  /** The run fails when the aggregated value is not 0. */
  readonly mustBeZero: boolean;
  readonly aggregate: Aggregate;
  /** Optional ceiling: the run fails when the aggregated value is above it. */
  readonly limit?: number;
  readonly unit?: string;
  readonly source: string;
}

/** The figure names the summary prints, in order; anything else is printed after them. */
export const FIGURE = {
  SPANS_CHECKED: 'spans checked (parent)',
  MISPARENTED: 'misparented',
  STARTED: 'spans started',
  FINISHED: 'spans finished',
  DOUBLE_FINISHED: 'double-finished',
  UNFINISHED: 'unfinished',
  FAULTS_SURVIVED: 'faults survived',
  FAULTS_FAILED: 'faults not survived',
  HOSTILE_INPUTS: 'hostile inputs tried',
  HOSTILE_FAILURES: 'hostile inputs failed',
  SECRETS_PLACED: 'secret markers placed',
  SECRETS_SCANNED: 'spans scanned for secrets',
  SECRETS_LEAKED: 'secrets leaked',
  CRASHES: 'crashes (unhandled rejections / uncaught exceptions)',
  NOT_EXITED: 'processes that did not exit on their own',
  HEAP_GROWTH_NOOP: 'heap growth after GC, no-op tracer (MB)',
  HEAP_GROWTH_TEST: 'heap growth after GC, test tracer (MB)',
  CALLS_NOOP: 'traced calls, no-op tracer',
  CALLS_TEST: 'traced calls, test tracer',
} as const;

const MUST_BE_ZERO = new Set<string>([
  FIGURE.MISPARENTED,
  FIGURE.DOUBLE_FINISHED,
  FIGURE.UNFINISHED,
  FIGURE.FAULTS_FAILED,
  FIGURE.HOSTILE_FAILURES,
  FIGURE.SECRETS_LEAKED,
  FIGURE.CRASHES,
  FIGURE.NOT_EXITED,
]);

const MAX_FIGURES = new Set<string>([FIGURE.HEAP_GROWTH_NOOP, FIGURE.HEAP_GROWTH_TEST]);

/** Heap growth ceiling of the issue: 5 MB. */
export const HEAP_GROWTH_LIMIT_MB = 5;

const recorded: Figure[] = [];

/** Records one figure (added to the others of the same name by the summary). */
export function recordFigure(name: string, value: number, source: string): void {
  const figure: Figure = {
    name,
    value,
    mustBeZero: MUST_BE_ZERO.has(name),
    aggregate: MAX_FIGURES.has(name) ? 'max' : 'sum',
    ...(MAX_FIGURES.has(name) ? { limit: HEAP_GROWTH_LIMIT_MB } : {}),
    source,
  };
  recorded.push(figure);
  const file = process.env.RELIABILITY_FIGURES;
  if (file !== undefined && file !== '') appendFileSync(file, `${JSON.stringify(figure)}\n`);
}

/** Figures recorded in this process (for tests of the harness itself). */
export function recordedFigures(): readonly Figure[] {
  return recorded;
}

/** True under `make stress` (`STRESS=1`): the larger counts of the issue. */
export const STRESS = process.env.STRESS === '1' || process.env.STRESS === 'true';

/** `fast` in `make test`, `stress` in `make stress`. */
export function scaled(fast: number, stress: number): number {
  return STRESS ? stress : fast;
}

/** Aggregates figures by name, in the summary's order. */
export function aggregate(figures: readonly Figure[]): Figure[] {
  const byName = new Map<string, Figure>();
  for (const f of figures) {
    const known = byName.get(f.name);
    if (known === undefined) {
      byName.set(f.name, { ...f, source: f.source });
      continue;
    }
    const value = f.aggregate === 'max' ? Math.max(known.value, f.value) : known.value + f.value;
    byName.set(f.name, { ...known, value, source: `${known.source}, ${f.source}` });
  }
  const order = Object.values(FIGURE) as string[];
  return [...byName.values()].sort((a, b) => {
    const ia = order.indexOf(a.name);
    const ib = order.indexOf(b.name);
    return (ia === -1 ? order.length : ia) - (ib === -1 ? order.length : ib) || a.name.localeCompare(b.name);
  });
}

/** Aggregated figures that break the rules: must-be-zero not zero, or above their limit. */
export function violations(figures: readonly Figure[]): Figure[] {
  return aggregate(figures).filter(
    (f) => (f.mustBeZero && f.value !== 0) || (f.limit !== undefined && f.value >= f.limit),
  );
}
