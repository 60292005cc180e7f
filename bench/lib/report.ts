/**
 * The report files: `latest.json` (everything, machine-readable), `latest.md` (targets, one
 * table per scenario, the soak) and `ratios.svg`. Pure rendering; `run.ts` writes them.
 */

import { type ScenarioReport, scenarioTable, type Target, THRESHOLDS, targetsMatrix, targetsTable } from './stats.js';
import type { ChartGroup } from './svg.js';

export interface SoakPhase {
  /** What was called: the core's in-process client, or a real client workload. */
  readonly subject: string;
  readonly tracer: 'noop' | 'otel-sdk';
  readonly calls: number;
  readonly ms: number;
  readonly heapBeforeBytes: number;
  readonly heapAfterBytes: number;
  readonly spans: number;
}

export interface SoakResult {
  readonly phases: readonly SoakPhase[];
  /** `process.getActiveResourcesInfo()` once the soak is done (stdout's own handle aside). */
  readonly activeResources: readonly string[];
  /** Why a requested phase did not run (e.g. its client is not on this branch). */
  readonly notes: readonly string[];
  /** Whether the process exited by itself once done (no timers or listeners left). */
  readonly exitedOnItsOwn: boolean;
}

export interface RunMeta {
  readonly date: string;
  readonly node: string;
  readonly profile: string;
  /** One measured window. */
  readonly durationMs: number;
  /** Profiled windows of raw and noop per scenario (own CPU per call). */
  readonly profileWindows?: number;
  /** Running time per variant process before the rounds, in windows taken in turns. */
  readonly warmupMs: number;
  /** Workloads that need a longer warm-up than `warmupMs` (see `Workload.warmupMs`). */
  readonly longerWarmups?: Readonly<Record<string, number>>;
  /** Rounds per pass. */
  readonly rounds: number;
  /** Passes, each with a fresh process per variant (older reports: one). */
  readonly passes?: number;
  readonly cpus: number;
  readonly loadAverage: readonly number[];
  /** CPU time stolen by the hypervisor over the run, in % (`lib/steal.ts`); absent where unknown. */
  readonly stealPercent?: number | undefined;
  readonly tracedSource: string;
  /** Whether idle CPUs were kept polling over the run (`lib/idle-latency.ts`); absent in older reports. */
  readonly idleCpus?: string;
}

export interface Report {
  readonly meta: RunMeta;
  readonly scenarios: readonly ScenarioReport[];
  readonly targets: readonly Target[];
  readonly soak: SoakResult | undefined;
  readonly failures: readonly string[];
}

const MB = 1024 * 1024;

export function soakTargets(soak: SoakResult): Target[] {
  const targets: Target[] = soak.phases.map((p) => ({
    name: 'heap growth after GC (MB)',
    scope: `soak, ${p.subject}, ${p.calls.toLocaleString('en-US')} calls, ${p.tracer}`,
    value: (p.heapAfterBytes - p.heapBeforeBytes) / MB,
    requirement: `< ${THRESHOLDS.heapGrowthBytes / MB}`,
    status: p.heapAfterBytes - p.heapBeforeBytes < THRESHOLDS.heapGrowthBytes ? 'met' : 'missed',
  }));
  targets.push({
    name: 'process exits on its own',
    scope: 'soak',
    value: soak.exitedOnItsOwn ? 1 : 0,
    requirement: '= 1',
    status: soak.exitedOnItsOwn ? 'met' : 'missed',
  });
  return targets;
}

/** Groups for the chart: one per scenario that has a raw baseline, bars for every other variant. */
export function chartGroups(scenarios: readonly ScenarioReport[]): ChartGroup[] {
  return scenarios
    .filter((s) => s.rows.some((r) => r.variant === 'raw'))
    .map((s) => ({
      label: `${s.workload} ${s.scenario}`,
      bars: s.rows.filter((r) => r.variant !== 'raw').map((r) => ({ variant: r.variant, ratio: r.ratio })),
    }))
    .filter((g) => g.bars.length > 0);
}

/** Above this steal (%), the report warns that the run shared its CPUs with other guests. */
export const STEADY_STEAL_PERCENT = 3;

/** True when other work was competing for the CPUs as the run started. */
export function busy(meta: Pick<RunMeta, 'cpus' | 'loadAverage'>): boolean {
  return (meta.loadAverage[0] ?? 0) > meta.cpus;
}

/** `2000 ms of warm-up in turns (dynamodb 10000 ms)`; older reports warmed each process alone. */
export function warmupText(meta: Pick<RunMeta, 'warmupMs' | 'longerWarmups'>): string {
  if (meta.longerWarmups === undefined) return `${meta.warmupMs} ms warm-up`;
  const longer = Object.entries(meta.longerWarmups).map(([name, ms]) => `${name} ${ms} ms`);
  return `${meta.warmupMs} ms of warm-up in turns${longer.length === 0 ? '' : ` (${longer.join(', ')})`}`;
}

export function renderMarkdown(report: Report): string {
  const { meta } = report;
  const passes = meta.passes ?? 1;
  const count = (status: Target['status']) => report.targets.filter((t) => t.status === status).length;
  const lines = [
    '# Benchmark results',
    '',
    `${meta.date} · Node ${meta.node} · profile \`${meta.profile}\` · ${passes === 1 ? '' : `${passes} passes of `}${meta.rounds} rounds of one ${meta.durationMs} ms window per variant (after ${warmupText(meta)})${meta.profileWindows === undefined ? '' : `, then ${meta.profileWindows} profiled ${meta.profileWindows === 1 ? 'window' : 'windows'} of raw and noop`}${passes === 1 ? '' : ', each pass with fresh processes'} · ${meta.cpus} CPUs, load ${meta.loadAverage.map((l) => l.toFixed(2)).join(' ')} at start${meta.stealPercent === undefined ? '' : `, ${meta.stealPercent.toFixed(1)}% CPU steal over the run`}${meta.idleCpus === undefined ? '' : ` · idle CPUs ${meta.idleCpus}`} · traced clients from \`${meta.tracedSource}\``,
    '',
    "In each pass, each variant runs in a fresh Node process of its own, started once and warmed up in turns with the others (discarded windows); the variants then take turns, one window each per round (the first rotates). `ratio to raw` is the median over the rounds of every pass of the variant's window ÷ raw's window of the same round (several passes, because two processes of one variant settle a few percent apart however long they run), with a ~95% confidence interval of that median; `µs added / op` = (1/ratio − 1) ÷ raw ops/s (wall time per operation at that concurrency); CPU is the whole process (client, and in-process servers for HTTP and DynamoDB), `CPU µs added / op` the median per-round difference with raw; `spans / op` is what the counting exporter received (✓ = the variant proved it recorded), `tags / span` the attributes those spans carried (`span-floor` sets the design's tags for the client and no more, so the floor target prices our wrapper and the tags we add beyond the design's). The two targets that compare variants (`traced` against `otel`, `span-floor` against `traced`) are judged round by round: the median over the rounds of (one variant's window − the other's) ÷ raw's window of that round, with its ~95% interval under each scenario's table; windows of one round ran back to back, so a slow or fast stretch of a shared machine counts on both sides. **Own CPU per call** is measured in profiled windows of the noop variant: V8 sampling-profiler time charged to traced-clients' own code (and the builtins it calls) per op — the difference of two whole-process CPU figures cannot resolve a fraction of a microsecond on operations of 10–300 µs.",
    '',
    ...(busy(meta)
      ? [
          `> **Busy machine**: the 1-minute load average (${(meta.loadAverage[0] ?? 0).toFixed(2)}) was above the CPU count (${meta.cpus}) when the run started; other work competed for the CPUs, so treat these ratios as rough.`,
          '',
        ]
      : []),
    ...((meta.stealPercent ?? 0) > STEADY_STEAL_PERCENT
      ? [
          `> **Shared machine**: the hypervisor took ${(meta.stealPercent ?? 0).toFixed(1)}% of the CPU time over the run (steal): the windows' speed swung with other guests' load, so differences within the ~95% intervals are noise.`,
          '',
        ]
      : []),
    '![throughput as a fraction of raw](ratios.svg)',
    '',
    `## Targets (${count('met')} met, ${count('missed')} missed, ${count('not measured')} not measured)`,
    '',
    targetsMatrix(report.targets),
    '',
  ];
  const soak = report.targets.filter((t) => t.scope.startsWith('soak'));
  if (soak.length > 0) lines.push(targetsTable(soak), '');
  const missed = report.targets.filter((t) => t.status === 'missed');
  if (missed.length > 0)
    lines.push(
      'Missed:',
      '',
      ...missed.map(
        (t) =>
          `- ${t.scope}: ${t.name} = ${Number.isFinite(t.value) ? t.value.toFixed(3) : '–'}${t.interval === undefined ? '' : ` (~95% interval ${t.interval[0].toFixed(3)} to ${t.interval[1].toFixed(3)})`} (required ${t.requirement})`,
      ),
      '',
    );
  lines.push(
    '✓ met, ✗ missed, – not measured (a variant the target needs did not run; see the notes under its table). "recorded": every recording variant exported the spans it must (count of checks).',
    '',
  );
  if (report.failures.length > 0) {
    lines.push('## Failures', '', ...report.failures.map((f) => `- ${f}`), '');
  }
  lines.push('## Workloads', '');
  for (const scenario of report.scenarios) lines.push(scenarioTable(scenario), '');
  if (report.soak !== undefined) {
    lines.push(
      '## Memory soak',
      '',
      '| through | tracer | calls | time (ms) | heap before (MB) | heap after (MB) | growth (MB) | spans |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const p of report.soak.phases) {
      lines.push(
        `| ${p.subject} | ${p.tracer} | ${p.calls.toLocaleString('en-US')} | ${p.ms.toFixed(0)} | ${(p.heapBeforeBytes / MB).toFixed(2)} | ${(p.heapAfterBytes / MB).toFixed(2)} | ${((p.heapAfterBytes - p.heapBeforeBytes) / MB).toFixed(2)} | ${p.spans.toLocaleString('en-US')} |`,
      );
    }
    lines.push(
      '',
      `Exited on its own: ${report.soak.exitedOnItsOwn ? 'yes' : '**no**'}; active resources when done: ${report.soak.activeResources.length === 0 ? 'none' : report.soak.activeResources.join(', ')}.`,
      '',
      ...report.soak.notes.map((n) => `> ${n}\n`),
    );
  }
  return lines.join('\n');
}
