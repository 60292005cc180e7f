/**
 * What the orchestrator (`bench/run.ts`) and one variant process (`bench/worker.ts`) say to
 * each other: the spec goes in as one JSON argument, the result comes back as one JSON line.
 */

/** The five variants, in the order they run in a round (the start rotates per round). */
export const VARIANTS = ['raw', 'noop', 'traced', 'span-floor', 'otel'] as const;
export type Variant = (typeof VARIANTS)[number];

/** Variants that must record spans, and so must prove they did. */
export const RECORDING: readonly Variant[] = ['traced', 'span-floor', 'otel'];

/** Marks the result line on the worker's stdout, so stray logs never break parsing. */
export const RESULT_MARKER = 'BENCH_RESULT ';
/** The worker has set up and warmed up: it waits for window commands on stdin. */
export const READY_MARKER = 'BENCH_READY';

/** Worker exit code for "the traced client of this workload is not on this branch". */
export const EXIT_NOT_LANDED = 3;

export interface WorkerSpec {
  readonly workload: string;
  readonly scenario: string;
  readonly variant: Variant;
  readonly warmupMs: number;
}

/** One measured window, sent to a ready worker as one JSON line. */
export interface WindowCommand {
  readonly ms: number;
  /**
   * Sample the window with V8's profiler and charge the time to its owners
   * (`attribution.ts`): how own CPU per call is measured. The profiler slows the process, so
   * such a window gives no throughput figures.
   */
  readonly profile?: boolean;
}

export interface WorkerResult {
  readonly workload: string;
  readonly scenario: string;
  readonly variant: Variant;
  /** Operations completed in the measured window. */
  readonly ops: number;
  readonly elapsedMs: number;
  /** `process.cpuUsage()` user + system over the measured window, whole process. */
  readonly cpuUs: number;
  /** Spans the counting exporter saw for the measured window (0 for raw and noop). */
  readonly spans: number;
  /** Attributes (tags) of those spans, summed. */
  readonly tags: number;
  /** With `profile`: sampled µs of the measured window charged to our code, GC, idle, the rest. */
  readonly attribution?: { readonly ours: number; readonly gc: number; readonly idle: number; readonly other: number };
}
