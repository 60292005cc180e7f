/**
 * Shared pieces of the hostile-input properties: arbitraries for text of every kind and for
 * marker secrets, and a counter that runs fast-check properties and timed worst cases while
 * counting inputs tried and failed for the figures.
 *
 * Time bound: 10 MB must be handled within LINEAR_BOUND_MS. A linear pass over 10 MB costs
 * 10-500 ms here (measured on this 2-core machine under load); anything quadratic needs
 * ~10^13 steps at that size, hours, so a bound of a few seconds cannot be met by accident
 * and leaves a linear implementation room for a busy machine.
 */
import fc from 'fast-check';
import { FIGURE, recordFigure, scaled } from './figures.js';

export const TEN_MB = 10 * 1024 * 1024;
export const LINEAR_BOUND_MS = 3000;
/** Runs per property: `make test` / `make stress`. */
export const RUNS = scaled(300, 5000);

/** Any UTF-16 code unit, lone surrogates included. */
export const utf16 = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  maxLength: 300,
});

/** Arbitrary text: UTF-16 units, code points, raw bytes (latin1) and real-looking URLs. */
export const anyText = fc.oneof(
  utf16,
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
  fc.webUrl({ withQueryParameters: true, withFragments: true, validSchemes: ['http', 'https', 'ftp', 'postgres'] }),
);

/** A marker secret: letters only (safe in SQL strings, URLs, headers), never hex. */
export const marker = fc
  .string({ unit: fc.constantFrom(...'ghijklmnopqrstuvwxyz'.split('')), minLength: 16, maxLength: 16 })
  .map((s) => `Secretzq${s}`);

/** Well-formed UTF-16 (no lone surrogate); `String.prototype.isWellFormed` is ES2024. */
export function isWellFormed(text: string): boolean {
  return !/\p{Surrogate}/u.test(text);
}

export class HostileCounter {
  tried = 0;
  failures = 0;

  constructor(private readonly source: string) {}

  /** Runs a property `RUNS` times (or `runs`), counting every input; a failure fails the test. */
  check<Ts extends [unknown, ...unknown[]]>(
    arbitraries: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> },
    predicate: (...args: Ts) => void,
    runs = RUNS,
  ): void {
    try {
      fc.assert(
        fc.property(...arbitraries, (...args: Ts) => {
          this.tried++;
          predicate(...args);
        }),
        { numRuns: runs },
      );
    } catch (error) {
      this.failures++;
      throw error;
    }
  }

  /** Times one call on a huge input: one input tried, failed when over LINEAR_BOUND_MS or when it throws. */
  timed<R>(fn: () => R): { result: R; ms: number } {
    this.tried++;
    const started = performance.now();
    let result: R;
    try {
      result = fn();
    } catch (error) {
      this.failures++;
      throw error;
    }
    const ms = performance.now() - started;
    if (ms >= LINEAR_BOUND_MS) this.failures++;
    return { result, ms };
  }

  record(): void {
    recordFigure(FIGURE.HOSTILE_INPUTS, this.tried, this.source);
    recordFigure(FIGURE.HOSTILE_FAILURES, this.failures, this.source);
  }
}
