/**
 * Client benchmarks: every workload scenario × five variants (raw, noop, traced, span-floor,
 * otel), each variant in its own Node process, interleaved round by round (the first variant
 * rotates each round so none always runs first), medians reported. Then the memory soak.
 * Writes bench/results/latest.{md,json} and ratios.svg; prints the tables.
 *
 *   npx tsx bench/run.ts [--profile smoke|quick|full] [--rounds N] [--duration MS] [--warmup MS]
 *                        [--only pg,ioredis:pipeline100] [--variants raw,otel] [--no-soak] [--strict]
 *                        [--cpu-prof]   (a V8 CPU profile per variant process, in <out>/profiles/)
 *                        [--soak-client ioredis]   (also soak one real traced client)
 *
 * Exit code 1 when a variant crashed or a recording variant did not record; with `--strict`
 * also when a target is missed or a workload could not run.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { endpoints, tcpReachable } from '../test/helpers/services.js';
import {
  EXIT_NOT_LANDED,
  RESULT_MARKER,
  VARIANTS,
  type Variant,
  type WorkerResult,
  type WorkerSpec,
} from './lib/protocol.js';
import { busy, chartGroups, type Report, renderMarkdown, type SoakResult, soakTargets } from './lib/report.js';
import {
  evaluateTargets,
  recordingFailures,
  type Sample,
  type ScenarioReport,
  scenarioTable,
  summarize,
  targetsMatrix,
  targetsTable,
  toSample,
} from './lib/stats.js';
import { ratioChart } from './lib/svg.js';
import { WORKLOADS } from './workloads/index.js';
import { type Scenario, usesTracedClient, type Workload } from './workloads/types.js';

const PROFILES = {
  /** Checks the harness only: numbers mean nothing. */
  smoke: { durationMs: 200, warmupMs: 100, rounds: 1, soakNoop: 100_000, soakOtel: 20_000 },
  /** `make bench`: a few minutes. */
  quick: { durationMs: 700, warmupMs: 400, rounds: 3, soakNoop: 1_000_000, soakOtel: 200_000 },
  /** `make bench-full`: the run the targets are judged on. */
  full: { durationMs: 3000, warmupMs: 1000, rounds: 5, soakNoop: 1_000_000, soakOtel: 200_000 },
} as const;

const { values: args } = parseArgs({
  options: {
    profile: { type: 'string', default: 'quick' },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    only: { type: 'string' },
    variants: { type: 'string' },
    'no-soak': { type: 'boolean', default: false },
    strict: { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    'soak-client': { type: 'string', default: '' },
    out: { type: 'string', default: fileURLToPath(new URL('./results/', import.meta.url)) },
  },
});

const profileName = args.profile as keyof typeof PROFILES;
const profile = PROFILES[profileName];
if (profile === undefined) throw new Error(`unknown profile ${args.profile}; use ${Object.keys(PROFILES).join(', ')}`);
const durationMs = Number(args.duration ?? profile.durationMs);
const warmupMs = Number(args.warmup ?? profile.warmupMs);
const rounds = Number(args.rounds ?? profile.rounds);
const variants = (args.variants?.split(',') ?? [...VARIANTS]) as Variant[];
for (const v of variants) if (!VARIANTS.includes(v)) throw new Error(`unknown variant ${v}`);
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const ci = process.env.CI === 'true' || process.env.CI === '1';

/** `--only pg,ioredis:pipeline100` → which scenarios run. */
function selected(workload: Workload, scenario: Scenario): boolean {
  if (args.only === undefined) return true;
  return args.only.split(',').some((item) => item === workload.name || item === `${workload.name}:${scenario.name}`);
}

interface ProcessOutcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  /** ms between the result line and the process exiting by itself. */
  readonly exitAfterResultMs: number | undefined;
}

/**
 * Runs `node [flags] --import tsx <script> <arg>` from the repository root, bounded in time:
 * killed after `timeoutMs`, or `graceAfterResultMs` after its result line when given.
 */
function runNode(
  flags: string[],
  script: string,
  arg: string[],
  timeoutMs: number,
  graceAfterResultMs?: number,
): Promise<ProcessOutcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...flags, '--import', 'tsx', script, ...arg], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let resultAt: number | undefined;
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (resultAt === undefined && stdout.includes(RESULT_MARKER)) {
        resultAt = performance.now();
        if (graceAfterResultMs !== undefined) {
          setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, graceAfterResultMs).unref();
        }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const exitAfterResultMs = resultAt === undefined ? undefined : performance.now() - resultAt;
      resolve({ code, stdout, stderr, timedOut, exitAfterResultMs });
    });
  });
}

function parseResult<T>(stdout: string): T | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
  return line === undefined ? undefined : (JSON.parse(line.slice(RESULT_MARKER.length)) as T);
}

const failures: string[] = [];
const notes = new Map<string, string[]>();
const note = (key: string, text: string) => notes.set(key, [...(notes.get(key) ?? []), text]);
const samples = new Map<string, Partial<Record<Variant, Sample[]>>>();
const notLanded = new Set<string>();

// Which workloads can run: their service must answer (under CI a missing one is a failure).
const plan: { workload: Workload; scenario: Scenario }[] = [];
for (const workload of WORKLOADS) {
  const scenarios = workload.scenarios.filter((s) => selected(workload, s));
  if (scenarios.length === 0) continue;
  if (workload.service !== undefined && !(await tcpReachable(endpoints[workload.service]))) {
    const text = `skipped: ${workload.service} is not reachable at ${endpoints[workload.service]} (run \`make services\`)`;
    console.warn(`${workload.name}: ${text}`);
    if (ci) failures.push(`${workload.name}: ${text}`);
    for (const s of scenarios) note(`${workload.name}/${s.name}`, text);
    continue;
  }
  for (const scenario of scenarios) plan.push({ workload, scenario });
}

const meta = {
  date: new Date().toISOString(),
  node: process.version,
  profile: profileName,
  durationMs,
  warmupMs,
  rounds,
  cpus: cpus().length,
  loadAverage: loadavg(),
  tracedSource: process.env.BENCH_SRC ?? 'src/',
};
const perVariantBudget = warmupMs + durationMs + 60_000;
if (busy(meta)) {
  console.warn(
    `warning: load average ${meta.loadAverage[0]?.toFixed(2)} is above the CPU count (${meta.cpus}): other work competes for the CPUs, ratios will be rough`,
  );
}
console.log(
  `${plan.length} scenarios × ${variants.length} variants × ${rounds} rounds, ${durationMs} ms each (+${warmupMs} ms warm-up)\n`,
);

for (let round = 0; round < rounds; round++) {
  const order = variants.map((_, i) => variants[(i + round) % variants.length] as Variant);
  for (const { workload, scenario } of plan) {
    const key = `${workload.name}/${scenario.name}`;
    for (const variant of order) {
      if (usesTracedClient(variant) && notLanded.has(workload.name)) continue;
      const spec: WorkerSpec = { workload: workload.name, scenario: scenario.name, variant, durationMs, warmupMs };
      // One folder per process: Node names each thread's profile (the loader-hooks thread has one too).
      const profile = args['cpu-prof']
        ? [
            '--cpu-prof',
            `--cpu-prof-dir=${join(resolve(args.out), 'profiles', `${workload.name}-${scenario.name}-${variant}-r${round + 1}`)}`,
          ]
        : [];
      const outcome = await runNode(profile, 'bench/worker.ts', [JSON.stringify(spec)], perVariantBudget);
      const label = `[${round + 1}/${rounds}] ${key.padEnd(22)} ${variant.padEnd(10)}`;
      if (outcome.code === EXIT_NOT_LANDED) {
        notLanded.add(workload.name);
        const text = `noop and traced not run: ${outcome.stderr.trim().split('\n').at(-1)}`;
        console.warn(`${label} ${text}`);
        for (const p of plan) if (p.workload === workload) note(`${workload.name}/${p.scenario.name}`, text);
        continue;
      }
      const result = parseResult<WorkerResult>(outcome.stdout);
      if (outcome.code !== 0 || result === undefined) {
        const why = outcome.timedOut ? `timed out after ${perVariantBudget} ms` : `exit code ${outcome.code}`;
        const tail = outcome.stderr.trim().split('\n').slice(-6).join('\n    ');
        failures.push(`${key} ${variant}: ${why}`);
        console.error(`${label} FAILED (${why})\n    ${tail}`);
        continue;
      }
      const sample = toSample(result);
      const list = samples.get(key) ?? {};
      list[variant] = [...(list[variant] ?? []), sample];
      samples.set(key, list);
      console.log(
        `${label} ${sample.opsPerSec.toFixed(0).padStart(8)} ops/s  ${sample.cpuUsPerOp.toFixed(1).padStart(7)} CPU µs/op  ${sample.spansPerOp.toFixed(2)} spans/op`,
      );
    }
  }
}

const scenarios: ScenarioReport[] = [];
for (const workload of WORKLOADS) {
  for (const scenario of workload.scenarios) {
    const key = `${workload.name}/${scenario.name}`;
    const list = samples.get(key);
    if (list === undefined && !notes.has(key)) continue;
    scenarios.push(
      summarize(workload.name, scenario.name, scenario.title, list ?? {}, scenario.expectedSpans, notes.get(key)),
    );
  }
}
failures.push(...recordingFailures(scenarios).map((f) => `did not prove it recorded: ${f}`));

let soak: SoakResult | undefined;
if (!args['no-soak']) {
  console.log(`\nmemory soak: ${profile.soakNoop} calls with the no-op tracer, ${profile.soakOtel} with the OTel SDK`);
  const outcome = await runNode(
    ['--expose-gc'],
    'bench/soak.ts',
    [String(profile.soakNoop), String(profile.soakOtel), args['soak-client']],
    300_000,
    5_000,
  );
  const result = parseResult<Omit<SoakResult, 'exitedOnItsOwn'>>(outcome.stdout);
  if (result === undefined || outcome.timedOut || outcome.code !== 0) {
    failures.push(
      `soak: ${outcome.timedOut ? 'did not exit on its own within 5 s of its result (killed)' : `exit code ${outcome.code}`}`,
    );
    console.error(outcome.stderr.trim().split('\n').slice(-6).join('\n'));
  }
  if (result !== undefined) {
    // The soak never calls process.exit: if it is still alive 5 s after its result, something holds it.
    soak = { ...result, exitedOnItsOwn: !outcome.timedOut && outcome.code === 0 };
  }
}

const targets = [...evaluateTargets(scenarios), ...(soak === undefined ? [] : soakTargets(soak))];
const report: Report = { meta, scenarios, targets, soak, failures };
const outDir = resolve(args.out);
await mkdir(outDir, { recursive: true });
await writeFile(join(outDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
await writeFile(join(outDir, 'latest.md'), renderMarkdown(report));
await writeFile(join(outDir, 'ratios.svg'), ratioChart(chartGroups(scenarios)));

console.log('');
for (const s of scenarios) console.log(`${scenarioTable(s)}\n`);
if (soak !== undefined) {
  for (const p of soak.phases) {
    console.log(
      `soak ${p.subject}, ${p.tracer}: ${p.calls} calls in ${p.ms.toFixed(0)} ms, heap ${(p.heapBeforeBytes / 2 ** 20).toFixed(2)} → ${(p.heapAfterBytes / 2 ** 20).toFixed(2)} MB`,
    );
  }
  console.log(
    `soak exited on its own: ${soak.exitedOnItsOwn ? 'yes' : 'NO'}; still active when done: ${soak.activeResources.join(', ') || 'nothing'}\n`,
  );
}
console.log(
  `## Targets\n\n${targetsMatrix(targets)}\n\n${targetsTable(targets.filter((t) => t.scope.startsWith('soak')))}\n`,
);
for (const f of failures) console.error(`FAILURE: ${f}`);
const count = (status: string) => targets.filter((t) => t.status === status).length;
console.log(
  `results: ${join(outDir, 'latest.md')}, latest.json, ratios.svg; targets: ${count('met')} met, ${count('missed')} missed, ${count('not measured')} not measured`,
);
const incomplete = notLanded.size > 0 || [...notes.keys()].length > 0;
if (failures.length > 0 || (args.strict && (count('missed') > 0 || incomplete))) process.exitCode = 1;
