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

/** One process run turned into per-op figures. */
export interface Sample {
  readonly opsPerSec: number;
  readonly cpuUsPerOp: number;
  readonly spansPerOp: number;
}

export function toSample(result: Pick<WorkerResult, 'ops' | 'elapsedMs' | 'cpuUs' | 'spans'>): Sample {
  const ops = Math.max(result.ops, 1);
  return {
    opsPerSec: (result.ops * 1000) / result.elapsedMs,
    cpuUsPerOp: result.cpuUs / ops,
    spansPerOp: result.spans / ops,
  };
}

/** How many spans one operation should give, per recording variant (default 1). */
export type ExpectedSpans = Partial<Record<Variant, number>>;

export type RecordCheck = 'n/a' | 'ok' | 'missing' | 'wrong';

export interface VariantRow {
  readonly variant: Variant;
  readonly rounds: number;
  /** Medians over rounds. */
  readonly opsPerSec: number;
  readonly cpuUsPerOp: number;
  readonly spansPerOp: number;
  /** variant ops/s ÷ raw ops/s (1 = no cost). */
  readonly ratio: number;
  /** Wall time added per operation at this concurrency: 1/ops − 1/raw ops, in µs. */
  readonly addedUsPerOp: number;
  /** CPU added per operation against raw, in µs. */
  readonly addedCpuUsPerOp: number;
  readonly expectedSpansPerOp: number | undefined;
  readonly recorded: RecordCheck;
}

export interface ScenarioReport {
  readonly workload: string;
  readonly scenario: string;
  /** Human label, e.g. "pg SELECT 1, 64 in flight". */
  readonly title: string;
  readonly rows: readonly VariantRow[];
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

/** Medians per variant, then everything relative to `raw` of the same run. */
export function summarize(
  workload: string,
  scenario: string,
  title: string,
  samples: Partial<Record<Variant, readonly Sample[]>>,
  expected: ExpectedSpans = {},
  notes: readonly string[] = [],
): ScenarioReport {
  const raw = samples.raw ?? [];
  const rawOps = median(raw.map((s) => s.opsPerSec));
  const rawCpu = median(raw.map((s) => s.cpuUsPerOp));
  const rows: VariantRow[] = [];
  for (const variant of VARIANTS) {
    const list = samples[variant];
    if (list === undefined || list.length === 0) continue;
    const opsPerSec = median(list.map((s) => s.opsPerSec));
    const cpuUsPerOp = median(list.map((s) => s.cpuUsPerOp));
    const spansPerOp = median(list.map((s) => s.spansPerOp));
    rows.push({
      variant,
      rounds: list.length,
      opsPerSec,
      cpuUsPerOp,
      spansPerOp,
      ratio: opsPerSec / rawOps,
      addedUsPerOp: 1e6 / opsPerSec - 1e6 / rawOps,
      addedCpuUsPerOp: cpuUsPerOp - rawCpu,
      expectedSpansPerOp: RECORDING.includes(variant) ? (expected[variant] ?? 1) : undefined,
      recorded: recordCheck(variant, spansPerOp, expected),
    });
  }
  return { workload, scenario, title, rows, notes };
}

export interface Target {
  readonly name: string;
  readonly scope: string;
  readonly value: number;
  /** e.g. "≥ 0.970" */
  readonly requirement: string;
  /** `not measured`: a variant the target needs did not run (e.g. its client has not landed). */
  readonly status: TargetStatus;
}

export type TargetStatus = 'met' | 'missed' | 'not measured';

const status = (met: boolean): TargetStatus => (met ? 'met' : 'missed');

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
    const ownCpu = noop?.addedCpuUsPerOp ?? Number.NaN;
    targets.push({
      name: 'noop / raw',
      scope,
      requirement: `≥ ${THRESHOLDS.noopRatio.toFixed(3)}`,
      ...measured(noopRatio, noopRatio >= THRESHOLDS.noopRatio),
    });
    targets.push({
      name: 'own CPU µs per call (noop − raw)',
      scope,
      requirement: `≤ ${THRESHOLDS.ownCpuUs}`,
      ...measured(ownCpu, ownCpu <= THRESHOLDS.ownCpuUs),
    });
    const vsOtel = ratio(traced) - ratio(otel);
    targets.push({
      name: 'traced / raw − otel / raw',
      scope,
      requirement: '≥ 0',
      ...measured(vsOtel, vsOtel >= 0),
    });
    const gap = ratio(floor) - ratio(traced);
    targets.push({
      name: 'span-floor / raw − traced / raw',
      scope,
      requirement: `≤ ${THRESHOLDS.floorPoints.toFixed(3)}`,
      ...measured(gap, gap <= THRESHOLDS.floorPoints),
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
    '| variant | ops/s | ratio to raw | µs added / op | CPU µs / op | CPU µs added / op | spans / op | rounds |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of report.rows) {
    const spans =
      r.expectedSpansPerOp === undefined
        ? fmt(r.spansPerOp, 2)
        : `${fmt(r.spansPerOp, 2)} ${r.recorded === 'ok' ? '✓' : '✗'}`;
    lines.push(
      `| ${r.variant} | ${fmt(r.opsPerSec, 0)} | ${fmt(r.ratio, 3)} | ${r.variant === 'raw' ? '–' : signed(r.addedUsPerOp, 2)} | ${fmt(
        r.cpuUsPerOp,
        1,
      )} | ${r.variant === 'raw' ? '–' : signed(r.addedCpuUsPerOp, 2)} | ${spans} | ${r.rounds} |`,
    );
  }
  for (const note of report.notes) lines.push('', `> ${note}`);
  return lines.join('\n');
}

export function targetsTable(targets: readonly Target[]): string {
  const lines = ['| target | where | value | required | |', '| --- | --- | ---: | --- | --- |'];
  for (const t of targets) {
    lines.push(
      `| ${t.name} | ${t.scope} | ${fmt(t.value, 3)} | ${t.requirement} | ${t.status === 'missed' ? '**missed**' : t.status} |`,
    );
  }
  return lines.join('\n');
}

/** The per-scenario targets, one row per scenario and one column per target (compact for reading). */
export const MATRIX_COLUMNS = [
  { name: 'noop / raw', header: 'noop / raw ≥ 0.97', digits: 3 },
  { name: 'own CPU µs per call (noop − raw)', header: 'own CPU ≤ 0.5 µs', digits: 2 },
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
