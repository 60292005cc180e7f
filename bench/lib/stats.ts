/**
 * The pure arithmetic of the report: medians over rounds, ratios to raw, added time and CPU
 * per operation, the proof that recording variants recorded, and the targets of issue 11.
 * No I/O here, so it is unit-tested (test/unit/bench-stats.test.ts).
 */
import { RECORDING, VARIANTS, type Variant, type WorkerResult } from './protocol.js';

/** Median; the mean of the two middle values for an even count. `NaN` for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** One measured window turned into per-op figures. */
export interface Sample {
  /** The round the window belongs to: windows of one round ran back to back. */
  readonly round: number;
  readonly opsPerSec: number;
  readonly cpuUsPerOp: number;
  readonly spansPerOp: number;
  /** Attributes per exported span (0 without spans): what the variant records on each. */
  readonly tagsPerSpan: number;
}

export function toSample(
  result: Pick<WorkerResult, 'ops' | 'elapsedMs' | 'cpuUs' | 'spans' | 'tags'>,
  round: number,
): Sample {
  const ops = Math.max(result.ops, 1);
  return {
    round,
    opsPerSec: (result.ops * 1000) / result.elapsedMs,
    cpuUsPerOp: result.cpuUs / ops,
    spansPerOp: result.spans / ops,
    tagsPerSpan: result.spans === 0 ? 0 : result.tags / result.spans,
  };
}

/** A profiled window: sampled µs per op charged to our code and to the garbage collector. */
export interface ProfileSample {
  readonly ownUsPerOp: number;
  readonly gcUsPerOp: number;
}

export function toProfileSample(result: Pick<WorkerResult, 'ops' | 'attribution'>): ProfileSample | undefined {
  if (result.attribution === undefined) return undefined;
  const ops = Math.max(result.ops, 1);
  return { ownUsPerOp: result.attribution.ours / ops, gcUsPerOp: result.attribution.gc / ops };
}

/**
 * A distribution-free ~95% confidence interval of the median of `values`: the order
 * statistics of ranks ⌊n/2 − 0.98·√n⌋ and ⌈1 + n/2 + 0.98·√n⌉ (the normal approximation of
 * the binomial rule); the whole range for fewer than 6 values.
 */
export function medianInterval(values: readonly number[]): readonly [number, number] {
  if (values.length === 0) return [Number.NaN, Number.NaN];
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n < 6) return [sorted[0] as number, sorted[n - 1] as number];
  const half = 0.98 * Math.sqrt(n);
  const low = Math.max(1, Math.floor(n / 2 - half)) - 1;
  const high = Math.min(n, Math.ceil(1 + n / 2 + half)) - 1;
  return [sorted[low] as number, sorted[high] as number];
}

/** How many spans one operation should give, per recording variant (default 1). */
export type ExpectedSpans = Partial<Record<Variant, number>>;

export type RecordCheck = 'n/a' | 'ok' | 'missing' | 'wrong';

export interface VariantRow {
  readonly variant: Variant;
  /** Measured windows (one per round). */
  readonly windows: number;
  /** Medians over the windows. */
  readonly opsPerSec: number;
  readonly cpuUsPerOp: number;
  readonly spansPerOp: number;
  readonly tagsPerSpan: number;
  /**
   * Throughput ÷ raw's (1 = no cost): the median over rounds of this variant's window ÷ the
   * raw window of the same round, so both sides of each ratio ran seconds apart.
   */
  readonly ratio: number;
  /** ~95% confidence interval of `ratio` (see {@link medianInterval}). */
  readonly ratioInterval: readonly [number, number];
  /** Wall time added per operation at this concurrency, from `ratio`: (1/ratio − 1) / raw ops/s, in µs. */
  readonly addedUsPerOp: number;
  /** CPU added per operation against raw: the median of the per-round differences, in µs. */
  readonly addedCpuUsPerOp: number;
  /** From profiled windows (raw and noop): sampled µs per op in traced-clients' own code, and in GC. */
  readonly profiled?: { readonly windows: number; readonly ownUsPerOp: number; readonly gcUsPerOp: number };
  readonly expectedSpansPerOp: number | undefined;
  readonly recorded: RecordCheck;
}

/**
 * Two variants compared round by round: the median over rounds of (a − b) ÷ raw, each term a
 * window of the same round. The targets that compare two variants use this rather than the
 * difference of their two medians: the windows of one round ran back to back, so a stretch
 * where the shared machine is slow or fast counts on both sides of each difference.
 */
export interface Comparison {
  /** In ratio units (0.01 = 1 point of raw's throughput); `NaN` when no round had both. */
  readonly value: number;
  /** ~95% confidence interval of `value` (see {@link medianInterval}). */
  readonly interval: readonly [number, number];
  /** Rounds that had a window of raw and of both variants. */
  readonly rounds: number;
}

export interface ScenarioReport {
  readonly workload: string;
  readonly scenario: string;
  /** Human label, e.g. "pg SELECT 1, 64 in flight". */
  readonly title: string;
  readonly rows: readonly VariantRow[];
  /**
   * Traced calls per operation: the spans the traced client records per op (an amqplib round
   * trip is a publish and a delivery; a pipeline is one `exec`, however many commands it
   * queues). Own CPU is judged per call, so it is divided by this.
   */
  readonly tracedCallsPerOp: number;
  /** `span-floor` − `traced`, round by round: the floor target. */
  readonly floorGap: Comparison;
  /** `traced` − `otel`, round by round: the OpenTelemetry target. */
  readonly vsOtel: Comparison;
  /** Why a scenario or variant did not run (service down, client not merged yet). */
  readonly notes: readonly string[];
}

/**
 * Recording must be real: `traced` and `span-floor` give the expected count (±5%), `otel`
 * at least that many (its instrumentations may add connect or per-command spans).
 */
export function recordCheck(variant: Variant, spansPerOp: number, expected: ExpectedSpans): RecordCheck {
  if (!RECORDING.includes(variant)) return spansPerOp === 0 ? 'n/a' : 'wrong';
  const want = expected[variant] ?? 1;
  if (!(spansPerOp >= want * 0.95)) return 'missing';
  if (variant !== 'otel' && spansPerOp > want * 1.05) return 'wrong';
  return 'ok';
}

/** Per-round pairs of a variant's window with raw's window of the same round. */
function paired(raw: readonly Sample[], list: readonly Sample[], f: (v: Sample, r: Sample) => number): number[] {
  const byRound = new Map(raw.map((s) => [s.round, s]));
  const out: number[] = [];
  for (const s of list) {
    const r = byRound.get(s.round);
    if (r !== undefined) out.push(f(s, r));
  }
  return out;
}

/** `a` − `b` ÷ raw, round by round (see {@link Comparison}). */
export function compareByRound(
  raw: readonly Sample[],
  a: readonly Sample[] | undefined,
  b: readonly Sample[] | undefined,
): Comparison {
  const rawOf = new Map(raw.map((s) => [s.round, s]));
  const bOf = new Map((b ?? []).map((s) => [s.round, s]));
  const differences: number[] = [];
  for (const x of a ?? []) {
    const r = rawOf.get(x.round);
    const y = bOf.get(x.round);
    if (r !== undefined && y !== undefined) differences.push((x.opsPerSec - y.opsPerSec) / r.opsPerSec);
  }
  return { value: median(differences), interval: medianInterval(differences), rounds: differences.length };
}

/** Medians per variant, then everything relative to `raw` of the same rounds. */
export function summarize(
  workload: string,
  scenario: string,
  title: string,
  samples: Partial<Record<Variant, readonly Sample[]>>,
  expected: ExpectedSpans = {},
  notes: readonly string[] = [],
  profiles: Partial<Record<Variant, readonly ProfileSample[]>> = {},
): ScenarioReport {
  const raw = samples.raw ?? [];
  const rawOps = median(raw.map((s) => s.opsPerSec));
  const rows: VariantRow[] = [];
  for (const variant of VARIANTS) {
    const list = samples[variant];
    if (list === undefined || list.length === 0) continue;
    const ratios = paired(raw, list, (v, r) => v.opsPerSec / r.opsPerSec);
    const ratio = median(ratios);
    const profiled = profiles[variant];
    rows.push({
      variant,
      windows: list.length,
      opsPerSec: median(list.map((s) => s.opsPerSec)),
      cpuUsPerOp: median(list.map((s) => s.cpuUsPerOp)),
      spansPerOp: median(list.map((s) => s.spansPerOp)),
      tagsPerSpan: median(list.map((s) => s.tagsPerSpan)),
      ratio,
      ratioInterval: medianInterval(ratios),
      addedUsPerOp: (1 / ratio - 1) * (1e6 / rawOps),
      addedCpuUsPerOp: median(paired(raw, list, (v, r) => v.cpuUsPerOp - r.cpuUsPerOp)),
      ...(profiled === undefined || profiled.length === 0
        ? {}
        : {
            profiled: {
              windows: profiled.length,
              ownUsPerOp: median(profiled.map((p) => p.ownUsPerOp)),
              gcUsPerOp: median(profiled.map((p) => p.gcUsPerOp)),
            },
          }),
      expectedSpansPerOp: RECORDING.includes(variant) ? (expected[variant] ?? 1) : undefined,
      recorded: recordCheck(variant, median(list.map((s) => s.spansPerOp)), expected),
    });
  }
  return {
    workload,
    scenario,
    title,
    rows,
    tracedCallsPerOp: expected.traced ?? 1,
    floorGap: compareByRound(raw, samples['span-floor'], samples.traced),
    vsOtel: compareByRound(raw, samples.traced, samples.otel),
    notes,
  };
}

export interface Target {
  readonly name: string;
  readonly scope: string;
  readonly value: number;
  /** e.g. "≥ 0.970" */
  readonly requirement: string;
  /** `not measured`: a variant the target needs did not run (e.g. its client has not landed). */
  readonly status: TargetStatus;
  /** ~95% confidence interval of `value`, for the targets that compare two variants. */
  readonly interval?: readonly [number, number];
}

export type TargetStatus = 'met' | 'missed' | 'not measured';

const status = (met: boolean): TargetStatus => (met ? 'met' : 'missed');

/**
 * Our own CPU per call: sampled time in traced-clients' code per op of the noop variant,
 * divided by the traced calls an op makes ({@link ScenarioReport.tracedCallsPerOp}).
 */
export const OWN_CPU = 'own CPU µs per call (profiled, noop)';

export const THRESHOLDS = {
  noopRatio: 0.97,
  ownCpuUs: 0.5,
  floorPoints: 0.03,
  heapGrowthBytes: 5 * 1024 * 1024,
} as const;

const row = (report: ScenarioReport, variant: Variant) => report.rows.find((r) => r.variant === variant);

/** The targets of issue 11, each a comparison inside one run. */
export function evaluateTargets(reports: readonly ScenarioReport[]): Target[] {
  const targets: Target[] = [];
  for (const report of reports) {
    const scope = `${report.workload} ${report.scenario}`;
    const noop = row(report, 'noop');
    const traced = row(report, 'traced');
    const floor = row(report, 'span-floor');
    const otel = row(report, 'otel');
    const measured = (value: number, met: boolean): { value: number; status: TargetStatus } =>
      Number.isFinite(value) ? { value, status: status(met) } : { value: Number.NaN, status: 'not measured' };
    const ratio = (r: VariantRow | undefined) => r?.ratio ?? Number.NaN;
    const noopRatio = ratio(noop);
    const ownCpu = (noop?.profiled?.ownUsPerOp ?? Number.NaN) / report.tracedCallsPerOp;
    targets.push({
      name: 'noop / raw',
      scope,
      requirement: `≥ ${THRESHOLDS.noopRatio.toFixed(3)}`,
      ...measured(noopRatio, noopRatio >= THRESHOLDS.noopRatio),
    });
    targets.push({
      name: OWN_CPU,
      scope,
      requirement: `≤ ${THRESHOLDS.ownCpuUs}`,
      ...measured(ownCpu, ownCpu <= THRESHOLDS.ownCpuUs),
    });
    // Round by round (see Comparison); only when both variants ran.
    const vsOtel = traced === undefined || otel === undefined ? Number.NaN : report.vsOtel.value;
    targets.push({
      name: 'traced / raw − otel / raw',
      scope,
      requirement: '≥ 0',
      ...measured(vsOtel, vsOtel >= 0),
      interval: report.vsOtel.interval,
    });
    const gap = traced === undefined || floor === undefined ? Number.NaN : report.floorGap.value;
    targets.push({
      name: 'span-floor / raw − traced / raw',
      scope,
      requirement: `≤ ${THRESHOLDS.floorPoints.toFixed(3)}`,
      ...measured(gap, gap <= THRESHOLDS.floorPoints),
      interval: report.floorGap.interval,
    });
    for (const r of report.rows) {
      if (r.recorded === 'n/a') continue;
      targets.push({
        name: `${r.variant} recorded`,
        scope,
        value: r.spansPerOp,
        requirement: r.variant === 'otel' ? `≥ ${r.expectedSpansPerOp} spans/op` : `= ${r.expectedSpansPerOp} spans/op`,
        status: status(r.recorded === 'ok'),
      });
    }
  }
  return targets;
}

/** Recording variants that did not prove they recorded: the run must fail loudly on these. */
export function recordingFailures(reports: readonly ScenarioReport[]): string[] {
  const failures: string[] = [];
  for (const report of reports) {
    for (const r of report.rows) {
      if (r.recorded === 'missing' || r.recorded === 'wrong') {
        const want = r.expectedSpansPerOp === undefined ? '0' : String(r.expectedSpansPerOp);
        failures.push(
          `${report.workload} ${report.scenario} ${r.variant}: ${r.spansPerOp.toFixed(2)} spans/op, expected ${want}`,
        );
      }
    }
  }
  return failures;
}

const fmt = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const signed = (value: number, digits: number) => (value >= 0 ? '+' : '') + fmt(value, digits);

/** One markdown table per scenario. */
export function scenarioTable(report: ScenarioReport): string {
  const lines = [
    `### ${report.title}`,
    '',
    '| variant | ops/s | ratio to raw | ~95% interval | µs added / op | CPU µs / op | CPU µs added / op | spans / op | tags / span | windows |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of report.rows) {
    const spans =
      r.expectedSpansPerOp === undefined
        ? fmt(r.spansPerOp, 2)
        : `${fmt(r.spansPerOp, 2)} ${r.recorded === 'ok' ? '✓' : '✗'}`;
    const isRaw = r.variant === 'raw';
    const tags = r.spansPerOp === 0 ? '–' : fmt(r.tagsPerSpan, 1);
    const interval = isRaw ? '–' : `${fmt(r.ratioInterval[0], 3)}–${fmt(r.ratioInterval[1], 3)}`;
    lines.push(
      `| ${r.variant} | ${fmt(r.opsPerSec, 0)} | ${fmt(r.ratio, 3)} | ${interval} | ${isRaw ? '–' : signed(r.addedUsPerOp, 2)} | ${fmt(
        r.cpuUsPerOp,
        1,
      )} | ${isRaw ? '–' : signed(r.addedCpuUsPerOp, 2)} | ${spans} | ${tags} | ${r.windows} |`,
    );
  }
  const profiled = report.rows.filter((r) => r.profiled !== undefined);
  if (profiled.length > 0) {
    lines.push(
      '',
      `Profiled windows (V8 sampling profiler, µs per op): ${profiled
        .map(
          (r) =>
            `${r.variant}: traced-clients' code ${fmt(r.profiled?.ownUsPerOp ?? Number.NaN, 3)}, GC ${fmt(r.profiled?.gcUsPerOp ?? Number.NaN, 2)} (${r.profiled?.windows} windows)`,
        )
        .join('; ')}.${
        report.tracedCallsPerOp === 1
          ? ''
          : ` An op is ${report.tracedCallsPerOp} traced calls: own CPU per call is the per-op figure divided by ${report.tracedCallsPerOp}.`
      }`,
    );
  }
  const compared = (c: Comparison) =>
    `${signed(c.value * 100, 1)} points (~95% interval ${signed(c.interval[0] * 100, 1)} to ${signed(c.interval[1] * 100, 1)}, ${c.rounds} rounds)`;
  const pairs = [
    ...(report.floorGap.rounds > 0 ? [`span-floor − traced ${compared(report.floorGap)}`] : []),
    ...(report.vsOtel.rounds > 0 ? [`traced − otel ${compared(report.vsOtel)}`] : []),
  ];
  if (pairs.length > 0) lines.push('', `Round by round, ÷ raw of the round: ${pairs.join('; ')}.`);
  for (const note of report.notes) lines.push('', `> ${note}`);
  return lines.join('\n');
}

export function targetsTable(targets: readonly Target[]): string {
  const lines = ['| target | where | value | ~95% interval | required | |', '| --- | --- | ---: | ---: | --- | --- |'];
  for (const t of targets) {
    const interval = t.interval === undefined ? '–' : `${fmt(t.interval[0], 3)} – ${fmt(t.interval[1], 3)}`;
    lines.push(
      `| ${t.name} | ${t.scope} | ${fmt(t.value, 3)} | ${interval} | ${t.requirement} | ${t.status === 'missed' ? '**missed**' : t.status} |`,
    );
  }
  return lines.join('\n');
}

/** The per-scenario targets, one row per scenario and one column per target (compact for reading). */
export const MATRIX_COLUMNS = [
  { name: 'noop / raw', header: 'noop / raw ≥ 0.97', digits: 3 },
  { name: OWN_CPU, header: 'own CPU ≤ 0.5 µs', digits: 2 },
  { name: 'traced / raw − otel / raw', header: 'traced − otel ≥ 0', digits: 3 },
  { name: 'span-floor / raw − traced / raw', header: 'floor − traced ≤ 0.03', digits: 3 },
] as const;

export function targetsMatrix(targets: readonly Target[]): string {
  const scopes = [...new Set(targets.filter((t) => MATRIX_COLUMNS.some((c) => c.name === t.name)).map((t) => t.scope))];
  const cell = (t: Target | undefined, digits: number) => {
    if (t === undefined || t.status === 'not measured') return '–';
    return `${fmt(t.value, digits)} ${t.status === 'met' ? '✓' : '✗ **missed**'}`;
  };
  const lines = [
    `| scenario | ${MATRIX_COLUMNS.map((c) => c.header).join(' | ')} | recorded |`,
    `| --- | ${MATRIX_COLUMNS.map(() => '---:').join(' | ')} | --- |`,
  ];
  for (const scope of scopes) {
    const here = targets.filter((t) => t.scope === scope);
    const recorded = here.filter((t) => t.name.endsWith(' recorded'));
    const bad = recorded.filter((t) => t.status !== 'met').map((t) => t.name.replace(/ recorded$/, ''));
    const recordedCell =
      recorded.length === 0 ? '–' : bad.length === 0 ? `✓ (${recorded.length})` : `✗ **${bad.join(', ')}**`;
    lines.push(
      `| ${scope} | ${MATRIX_COLUMNS.map((c) =>
        cell(
          here.find((t) => t.name === c.name),
          c.digits,
        ),
      ).join(' | ')} | ${recordedCell} |`,
    );
  }
  return lines.join('\n');
}
