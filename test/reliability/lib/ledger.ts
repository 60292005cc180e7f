/**
 * The span ledger: what the test tracer saw, as counts. Started / finished / double-finished /
 * unfinished come from the test rig's finish counter (every `finish` call is counted, so a
 * second one shows); misparented compares each recorded span with the parent it should have.
 *
 * Long runs `drain()` between batches: the counts are kept, the finished spans are handed to
 * the caller (to scan for secrets, check parents) and forgotten, so memory stays flat.
 */
import type { RecordedSpan, TestTracing } from '../../helpers/tracing.js';

/** The parent a span must have: same trace, and this parent span id (`undefined` = a root). */
export interface ExpectedParent {
  readonly traceId: string;
  readonly parentId: string | undefined;
}

export interface LedgerCounts {
  readonly started: number;
  readonly finished: number;
  readonly doubleFinished: number;
  readonly unfinished: number;
}

export interface ParentCheck {
  /** Spans that had an expectation. */
  readonly checked: number;
  readonly misparented: number;
  /** Up to 5 examples, for the failure message. */
  readonly examples: readonly string[];
}

/**
 * Compares spans with their expected parents, keyed by the child's span id. Spans without an
 * entry are not checked; an entry whose span never arrived counts as misparented (a lost span
 * is as wrong as a misplaced one).
 */
export function checkParents(
  spans: readonly RecordedSpan[],
  expected: ReadonlyMap<string, ExpectedParent>,
): ParentCheck {
  let checked = 0;
  let misparented = 0;
  const examples: string[] = [];
  const seen = new Set<string>();
  for (const span of spans) {
    const want = expected.get(span.spanId);
    if (want === undefined) continue;
    seen.add(span.spanId);
    checked++;
    if (span.traceId !== want.traceId || span.parentId !== want.parentId) {
      misparented++;
      if (examples.length < 5) {
        examples.push(
          `${span.name} ${span.spanId}: trace ${span.traceId} parent ${span.parentId} ≠ trace ${want.traceId} parent ${want.parentId}`,
        );
      }
    }
  }
  for (const spanId of expected.keys()) {
    if (seen.has(spanId)) continue;
    checked++;
    misparented++;
    if (examples.length < 5) examples.push(`span ${spanId} expected but never recorded`);
  }
  return { checked, misparented, examples };
}

/**
 * Builds the expected-parent map with a rule: `parentOf(span, all)` returns the span's
 * expected parent, or `undefined` to leave it unchecked.
 */
export function expectParents(
  spans: readonly RecordedSpan[],
  parentOf: (span: RecordedSpan) => ExpectedParent | undefined,
): Map<string, ExpectedParent> {
  const map = new Map<string, ExpectedParent>();
  for (const span of spans) {
    const want = parentOf(span);
    if (want !== undefined) map.set(span.spanId, want);
  }
  return map;
}

export class SpanLedger {
  private started = 0;
  private finished = 0;
  private doubleFinished = 0;
  private unfinished = 0;
  private parentsChecked = 0;
  private misparented = 0;

  constructor(readonly tracing: TestTracing) {}

  /** Counts so far: everything drained plus what the tracer holds now. */
  counts(): LedgerCounts {
    const liveStarted = this.tracing.startedCount;
    const liveUnfinished = this.tracing.unfinished();
    return {
      started: this.started + liveStarted,
      finished: this.finished + liveStarted - liveUnfinished,
      doubleFinished: this.doubleFinished + this.tracing.doubleFinished(),
      unfinished: this.unfinished + liveUnfinished,
    };
  }

  /**
   * Moves the tracer's counts into the ledger and returns the finished spans, forgetting
   * them in the tracer. Call it when no call is in flight: a span still running is counted
   * as unfinished.
   */
  drain(): RecordedSpan[] {
    const spans = this.tracing.spans();
    const c = this.tracing;
    const liveStarted = c.startedCount;
    const liveUnfinished = c.unfinished();
    this.started += liveStarted;
    this.finished += liveStarted - liveUnfinished;
    this.doubleFinished += c.doubleFinished();
    this.unfinished += liveUnfinished;
    c.reset();
    return spans;
  }

  /** Checks parents of `spans` (see {@link checkParents}) and adds to the ledger's totals. */
  checkParents(spans: readonly RecordedSpan[], expected: ReadonlyMap<string, ExpectedParent>): ParentCheck {
    const result = checkParents(spans, expected);
    this.parentsChecked += result.checked;
    this.misparented += result.misparented;
    return result;
  }

  parents(): { checked: number; misparented: number } {
    return { checked: this.parentsChecked, misparented: this.misparented };
  }
}
