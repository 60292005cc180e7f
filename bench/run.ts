/**
 * Client benchmarks: every workload scenario × five variants (raw, noop, traced, span-floor,
 * otel). Per scenario, in each of a few passes, each variant runs in a fresh Node process of its
 * own, started and warmed up once; then the variants take turns, one short measured window
 * each per round (the first variant rotates each round so none always runs first), over many
 * rounds, and each pass ends with a few profiled windows of raw and noop (our own CPU per
 * call); ratios are medians of per-round ratios over all passes. Then the memory soak. Writes bench/results/latest.{md,json} and ratios.svg; prints the tables.
 *
 *   npx tsx bench/run.ts [--profile smoke|quick|full] [--rounds N] [--duration MS (one window)] [--warmup MS]
 *                        [--passes N]   (fresh processes of every variant, N times over)
 *                        [--only pg,ioredis:pipeline100] [--variants raw,otel] [--no-soak] [--strict]
 *                        [--cpu-prof]   (a V8 CPU profile per variant process, in <out>/profiles/)
 *                        [--soak-client ioredis]   (also soak one real traced client)
 *                        [--deep-idle]  (leave idle CPUs to halt; by default they are kept polling, lib/idle-latency.ts)
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
import { type BenchScript, bundlePath, bundleScripts, nodeFlags } from './lib/bundle.js';
import { holdShallowIdle } from './lib/idle-latency.js';
import {
  EXIT_NOT_LANDED,
  RESULT_MARKER,
  VARIANTS,
  type Variant,
  type WindowCommand,
  type WorkerResult,
  type WorkerSpec,
} from './lib/protocol.js';
import {
  busy,
  chartGroups,
  type Report,
  renderMarkdown,
  type SoakResult,
  soakTargets,
  warmupText,
} from './lib/report.js';
import {
  evaluateTargets,
  median,
  type ProfileSample,
  recordingFailures,
  type Sample,
  type ScenarioReport,
  scenarioTable,
  summarize,
  targetsMatrix,
  targetsTable,
  toProfileSample,
  toSample,
} from './lib/stats.js';
import { stealMeter } from './lib/steal.js';
import { ratioChart } from './lib/svg.js';
import { VariantProcess, WorkerFailure } from './lib/variant-process.js';
import { WORKLOADS } from './workloads/index.js';
import { type Scenario, usesTracedClient, type Workload } from './workloads/types.js';

/**
 * Many short windows rather than a few long runs: on a shared machine throughput swings by
 * ±10% over a second or two, and a ratio of windows taken seconds apart, many times over,
 * cancels that far better. Several passes, each with fresh processes: two processes of the same
 * variant settle a few percent apart however long they run (JIT and placement luck), which no
 * number of windows of one process averages away; one pass at a time, because every process
 * holds its pool's connections (four passes at once would be 200 against PostgreSQL's 100).
 * See bench/README.md, "How the figures are made".
 */
const PROFILES = {
  /** Checks the harness only: numbers mean nothing. */
  smoke: {
    durationMs: 150,
    warmupMs: 100,
    /** A workload's own longer warm-up (`Workload.warmupMs`) is for figures; not here. */
    workloadWarmups: false,
    rounds: 2,
    passes: 1,
    profileWindows: 1,
    profileMs: 300,
    soakNoop: 100_000,
    soakOtel: 20_000,
  },
  /** `make bench`: a few minutes. */
  quick: {
    durationMs: 300,
    warmupMs: 1500,
    workloadWarmups: true,
    rounds: 10,
    passes: 1,
    profileWindows: 1,
    profileMs: 1000,
    soakNoop: 1_000_000,
    soakOtel: 200_000,
  },
  /** `make bench-full`: the run the targets are judged on. */
  full: {
    durationMs: 500,
    warmupMs: 2000,
    workloadWarmups: true,
    rounds: 9,
    passes: 4,
    profileWindows: 2,
    profileMs: 1500,
    soakNoop: 1_000_000,
    soakOtel: 200_000,
  },
} as const;

const { values: args } = parseArgs({
  options: {
    profile: { type: 'string', default: 'quick' },
    rounds: { type: 'string' },
    passes: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    only: { type: 'string' },
    variants: { type: 'string' },
    'no-soak': { type: 'boolean', default: false },
    strict: { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    'soak-client': { type: 'string', default: '' },
    'deep-idle': { type: 'boolean', default: false },
    out: { type: 'string', default: fileURLToPath(new URL('./results/', import.meta.url)) },
  },
});

const profileName = args.profile as keyof typeof PROFILES;
const profile = PROFILES[profileName];
if (profile === undefined) throw new Error(`unknown profile ${args.profile}; use ${Object.keys(PROFILES).join(', ')}`);
const durationMs = Number(args.duration ?? profile.durationMs);
const warmupMs = Number(args.warmup ?? profile.warmupMs);
const rounds = Number(args.rounds ?? profile.rounds);
const passes = Math.max(1, Number(args.passes ?? profile.passes));
const variants = (args.variants?.split(',') ?? [...VARIANTS]) as Variant[];
for (const v of variants) if (!VARIANTS.includes(v)) throw new Error(`unknown variant ${v}`);
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const ci = process.env.CI === 'true' || process.env.CI === '1';
/** Running time each variant process of `workload` gets before the rounds: the run's, or the workload's if longer. */
const warmupOf = (workload: Workload): number =>
  profile.workloadWarmups ? Math.max(warmupMs, workload.warmupMs ?? 0) : warmupMs;

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
 * Runs `node [flags] <bundled script> <arg>` from the repository root (the soak), bounded
 * in time: killed after `timeoutMs`, or `graceAfterResultMs` after its result line.
 */
function runNode(
  flags: string[],
  script: BenchScript,
  arg: string[],
  timeoutMs: number,
  graceAfterResultMs: number,
): Promise<ProcessOutcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...flags, ...nodeFlags(), bundlePath(script), ...arg], {
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
        setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, graceAfterResultMs).unref();
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

// Every process of the run executes built JavaScript, as an app does (see lib/bundle.ts).
await bundleScripts(repoRoot);

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

const steal = stealMeter();
const idle = args['deep-idle'] ? { held: false as const, reason: '--deep-idle', release() {} } : holdShallowIdle();
if (!idle.held) {
  console.warn(
    `warning: idle CPUs are left to halt (${idle.reason}): on a virtual machine, sequential figures then measure wake-ups as much as the clients (see bench/README)`,
  );
}
const meta = {
  date: new Date().toISOString(),
  node: process.version,
  profile: profileName,
  durationMs,
  profileWindows: profile.profileWindows,
  warmupMs,
  longerWarmups: Object.fromEntries(
    [...new Set(plan.map((p) => p.workload))].filter((w) => warmupOf(w) > warmupMs).map((w) => [w.name, warmupOf(w)]),
  ),
  rounds,
  passes,
  cpus: cpus().length,
  loadAverage: loadavg(),
  tracedSource: process.env.BENCH_SRC ?? 'dist/ (the build)',
  idleCpus: idle.held ? 'kept polling (cpu_dma_latency 0)' : `left to halt (${idle.reason})`,
};
/**
 * Each process runs this long as it starts (to open its connections and run every path once);
 * the warm-up proper comes after, in windows taken in turns like the rounds (see the pass loop).
 */
const START_WARMUP_MS = 200;
const startBudgetMs = START_WARMUP_MS + 120_000;
const windowBudgetMs = (ms: number) => ms * 4 + 60_000;
const profileWindows = Number(profile.profileWindows);
const profileMs = Math.max(durationMs, profile.profileMs);
if (busy(meta)) {
  console.warn(
    `warning: load average ${meta.loadAverage[0]?.toFixed(2)} is above the CPU count (${meta.cpus}): other work competes for the CPUs, ratios will be rough`,
  );
}
console.log(
  `${plan.length} scenarios × ${variants.length} variants, ${passes} ${passes === 1 ? 'pass' : 'passes'} of fresh processes: ${rounds} rounds of ${durationMs} ms windows each (after ${warmupText(meta)}), then ${profileWindows} profiled ${profileMs} ms windows of raw and noop, per pass\n`,
);

const profiles = new Map<string, Partial<Record<Variant, ProfileSample[]>>>();

/** The variants in the order of turn `n` (A B C, B C A, …): each goes first as often as the others. */
const turnOrder = (n: number): Variant[] => variants.map((_, i) => variants[(i + n) % variants.length] as Variant);

/** A worker that died or hung: a run failure, with the tail of its stderr. */
function workerFailed(key: string, variant: Variant, error: WorkerFailure): void {
  failures.push(`${key} ${variant}: ${error.message}`);
  console.error(
    `${key} ${variant} FAILED (${error.message})\n    ${error.stderrTail.split('\n').slice(-6).join('\n    ')}`,
  );
}

/** Starts every variant of one scenario (one after the other, so warm-ups do not overlap). */
async function startVariants(
  workload: Workload,
  scenario: Scenario,
  pass: number,
): Promise<Map<Variant, VariantProcess>> {
  const key = `${workload.name}/${scenario.name}`;
  const started = new Map<Variant, VariantProcess>();
  for (const variant of variants) {
    if (usesTracedClient(variant) && notLanded.has(workload.name)) continue;
    const spec: WorkerSpec = { workload: workload.name, scenario: scenario.name, variant, warmupMs: START_WARMUP_MS };
    // One folder per process: Node names each thread's profile (the loader-hooks thread has one too).
    const flags = args['cpu-prof']
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${join(resolve(args.out), 'profiles', `${workload.name}-${scenario.name}-${variant}-${pass + 1}`)}`,
        ]
      : [];
    try {
      started.set(variant, await VariantProcess.start(repoRoot, flags, spec, startBudgetMs));
    } catch (error) {
      if (!(error instanceof WorkerFailure)) throw error;
      if (error.exitCode === EXIT_NOT_LANDED) {
        notLanded.add(workload.name);
        const text = `noop and traced not run: ${error.stderrTail.split('\n').at(-1)}`;
        console.warn(`${key} ${variant}: ${text}`);
        for (const p of plan) if (p.workload === workload) note(`${workload.name}/${p.scenario.name}`, text);
        continue;
      }
      workerFailed(key, variant, error);
    }
  }
  return started;
}

for (const { workload, scenario } of plan) {
  const key = `${workload.name}/${scenario.name}`;
  const list: Partial<Record<Variant, Sample[]>> = {};
  const profiled: Partial<Record<Variant, ProfileSample[]>> = {};
  for (let pass = 0; pass < passes; pass++) {
    const workers = await startVariants(workload, scenario, pass);
    /** One window of `variant`; a worker that fails is dropped from the rest of the pass. */
    const measure = async (variant: Variant, command: WindowCommand): Promise<WorkerResult | undefined> => {
      const worker = workers.get(variant);
      if (worker === undefined) return undefined;
      try {
        return await worker.window(command, windowBudgetMs(command.ms));
      } catch (error) {
        if (!(error instanceof WorkerFailure)) throw error;
        workers.delete(variant);
        workerFailed(key, variant, error);
        return undefined;
      }
    };
    const label = passes === 1 ? key.padEnd(22) : `${key} pass ${pass + 1}`.padEnd(29);
    try {
      // Warm-up in the same turns as the rounds, not each process alone as it starts: a process
      // left idle for the others' warm-ups (tens of seconds for DynamoDB) loses its optimized
      // code to a GC that clears dead weak references (`--trace-deopt`: ~120 functions of
      // node:http, streams and the SDK at once, 30 s into the idle) and restarts slow (DynamoDB
      // raw 650–720 ops/s against 1,100 warm, pg 5,500 against 9,000 in its first window). The
      // first-started variant, idle longest, paid the most.
      const warmupWindows = Math.ceil(warmupOf(workload) / durationMs);
      for (let w = 0; w < warmupWindows; w++) {
        for (const variant of turnOrder(w)) {
          await measure(variant, { ms: durationMs });
        }
      }
      console.log(`${label} warmed up: ${warmupWindows} windows per variant, in turns`);
      for (let r = 0; r < rounds; r++) {
        // Rounds are numbered across passes: a ratio pairs windows of one round, seconds apart.
        const round = pass * rounds + r;
        const line: string[] = [];
        for (const variant of turnOrder(round)) {
          const result = await measure(variant, { ms: durationMs });
          if (result === undefined) continue;
          const sample = toSample(result, round);
          list[variant] = [...(list[variant] ?? []), sample];
          line.push(`${variant} ${sample.opsPerSec.toFixed(0)}`);
        }
        console.log(`${label} [${String(r + 1).padStart(2)}/${rounds}] ops/s: ${line.join(', ')}`);
      }
      for (let i = 0; i < profileWindows; i++) {
        for (const variant of (['raw', 'noop'] as const).filter((v) => variants.includes(v))) {
          const result = await measure(variant, { ms: profileMs, profile: true });
          const sample = result === undefined ? undefined : toProfileSample(result);
          if (sample !== undefined) profiled[variant] = [...(profiled[variant] ?? []), sample];
        }
      }
    } finally {
      await Promise.all([...workers.values()].map((w) => w.close(30_000)));
    }
  }
  samples.set(key, list);
  profiles.set(key, profiled);
  const own = profiled.noop === undefined ? undefined : median(profiled.noop.map((p) => p.ownUsPerOp));
  if (own !== undefined) console.log(`${key.padEnd(22)} profiled: our code ${own.toFixed(3)} µs per op (noop)`);
}

const scenarios: ScenarioReport[] = [];
for (const workload of WORKLOADS) {
  for (const scenario of workload.scenarios) {
    const key = `${workload.name}/${scenario.name}`;
    const list = samples.get(key);
    if (list === undefined && !notes.has(key)) continue;
    scenarios.push(
      summarize(
        workload.name,
        scenario.name,
        scenario.title,
        list ?? {},
        scenario.expectedSpans,
        notes.get(key),
        profiles.get(key),
      ),
    );
  }
}
failures.push(...recordingFailures(scenarios).map((f) => `did not prove it recorded: ${f}`));
// The soak counts memory, not speed.
idle.release();

let soak: SoakResult | undefined;
if (!args['no-soak']) {
  console.log(`\nmemory soak: ${profile.soakNoop} calls with the no-op tracer, ${profile.soakOtel} with the OTel SDK`);
  const outcome = await runNode(
    ['--expose-gc'],
    'soak',
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
const report: Report = { meta: { ...meta, stealPercent: steal.percent() }, scenarios, targets, soak, failures };
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
