import { describe, expect, it } from 'vitest';
import { soakTargets } from '../../bench/lib/report.js';
import {
  compareByRound,
  evaluateTargets,
  median,
  medianInterval,
  OWN_CPU,
  recordCheck,
  recordingFailures,
  type Sample,
  scenarioTable,
  summarize,
  type Target,
  targetsMatrix,
  targetsTable,
  toProfileSample,
  toSample,
} from '../../bench/lib/stats.js';

const sample = (opsPerSec: number, cpuUsPerOp = 10, spansPerOp = 0, round = 0): Sample => ({
  round,
  opsPerSec,
  cpuUsPerOp,
  spansPerOp,
  tagsPerSpan: spansPerOp === 0 ? 0 : 7,
});
const find = (targets: Target[], name: string) => targets.find((t) => t.name === name);

describe('median', () => {
  it('takes the middle value of an odd count, the mean of the middle two of an even count', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('does not reorder its input and gives NaN for nothing', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
    expect(median([])).toBeNaN();
  });
});

describe('toSample', () => {
  it('turns one measured window into per-op figures', () => {
    expect(toSample({ ops: 2000, elapsedMs: 1000, cpuUs: 50_000, spans: 2000, tags: 14_000 }, 4)).toEqual({
      round: 4,
      opsPerSec: 2000,
      cpuUsPerOp: 25,
      spansPerOp: 1,
      tagsPerSpan: 7,
    });
    expect(toSample({ ops: 2000, elapsedMs: 1000, cpuUs: 50_000, spans: 0, tags: 0 }, 4).tagsPerSpan).toBe(0);
  });
});

describe('toProfileSample', () => {
  it('gives sampled µs per op in our code and in GC; nothing for an unprofiled window', () => {
    const attribution = { ours: 300, gc: 1000, idle: 5000, other: 90_000 };
    expect(toProfileSample({ ops: 2000, attribution })).toEqual({ ownUsPerOp: 0.15, gcUsPerOp: 0.5 });
    expect(toProfileSample({ ops: 2000 })).toBeUndefined();
  });
});

describe('medianInterval', () => {
  it('is the whole range for a few values', () => {
    expect(medianInterval([3, 1, 2])).toEqual([1, 3]);
    expect(medianInterval([])).toEqual([Number.NaN, Number.NaN]);
  });

  it('narrows to order statistics around the median for many values, and holds it', () => {
    const values = Array.from({ length: 30 }, (_, i) => i + 1); // 1..30, median 15.5
    const [low, high] = medianInterval(values);
    expect(low).toBe(9);
    expect(high).toBe(22);
    expect(low).toBeLessThan(15.5);
    expect(high).toBeGreaterThan(15.5);
  });
});

describe('summarize', () => {
  // The machine is twice as fast in round 1 as in round 0 and 2: the per-round pairs cancel that.
  const report = summarize(
    'pg',
    'seq',
    'pg SELECT 1',
    {
      raw: [sample(1000, 20, 0, 0), sample(2000, 10, 0, 1), sample(1000, 20, 0, 2)],
      noop: [sample(990, 20.3, 0, 0), sample(1960, 10.4, 0, 1), sample(980, 20.2, 0, 2)],
      traced: [sample(800, 30, 1, 0), sample(1600, 15, 1, 1), sample(800, 30, 1, 2)],
      'span-floor': [sample(1640, 14.5, 1, 1)],
      otel: [sample(600, 50, 2, 2)],
    },
    {},
    [],
    {
      raw: [{ ownUsPerOp: 0, gcUsPerOp: 0.2 }],
      noop: [
        { ownUsPerOp: 0.1, gcUsPerOp: 0.3 },
        { ownUsPerOp: 0.3, gcUsPerOp: 0.1 },
      ],
    },
  );
  const row = (variant: string) => report.rows.find((r) => r.variant === variant);

  it('reports medians of per-round ratios, relative to raw of the same round', () => {
    expect(report.rows.map((r) => r.variant)).toEqual(['raw', 'noop', 'traced', 'span-floor', 'otel']);
    expect(row('raw')).toMatchObject({ opsPerSec: 1000, ratio: 1, addedUsPerOp: 0, addedCpuUsPerOp: 0, windows: 3 });
    expect(row('noop')?.ratio).toBeCloseTo(0.98, 10);
    expect(row('noop')?.ratioInterval).toEqual([0.98, 0.99]);
    expect(row('noop')?.addedCpuUsPerOp).toBeCloseTo(0.3, 10);
    // A ratio of 0.8 at 1000 raw ops/s: 1/800 s − 1/1000 s = 250 µs
    expect(row('traced')?.ratio).toBeCloseTo(0.8, 10);
    expect(row('traced')?.addedUsPerOp).toBeCloseTo(250, 6);
    expect(row('span-floor')?.ratio).toBeCloseTo(0.82, 10);
    expect(row('otel')?.ratio).toBeCloseTo(0.6, 10);
  });

  it('takes our own CPU from the profiled windows', () => {
    expect(row('noop')?.profiled).toEqual({ windows: 2, ownUsPerOp: 0.2, gcUsPerOp: 0.2 });
    expect(row('raw')?.profiled).toEqual({ windows: 1, ownUsPerOp: 0, gcUsPerOp: 0.2 });
    expect(row('traced')?.profiled).toBeUndefined();
    expect(scenarioTable(report)).toContain("noop: traced-clients' code 0.200, GC 0.20 (2 windows)");
  });

  it('judges own CPU per traced call: an op of two traced calls halves it', () => {
    const profiles = { noop: [{ ownUsPerOp: 0.8, gcUsPerOp: 0 }] };
    const samples = { raw: [sample(1000, 20, 0, 0)], noop: [sample(990, 20.3, 0, 0)] };
    const one = summarize('ioredis', 'seq', 'GET', samples, {}, [], profiles);
    const two = summarize('amqplib', 'seq', 'round trip', samples, { traced: 2 }, [], profiles);
    const own = (r: typeof one) => evaluateTargets([r]).find((t) => t.name === OWN_CPU);
    expect(one.tracedCallsPerOp).toBe(1);
    expect(own(one)).toMatchObject({ value: 0.8, status: 'missed' });
    expect(two.tracedCallsPerOp).toBe(2);
    expect(own(two)).toMatchObject({ value: 0.4, status: 'met' });
    expect(scenarioTable(two)).toContain('An op is 2 traced calls');
  });

  it('marks each recording variant as having recorded, and the others as not applicable', () => {
    expect(row('raw')?.recorded).toBe('n/a');
    expect(row('noop')?.recorded).toBe('n/a');
    expect(row('traced')?.recorded).toBe('ok');
    expect(row('otel')?.recorded).toBe('ok');
    expect(recordingFailures([report])).toEqual([]);
  });
});

describe('recordCheck', () => {
  it('requires the expected span count from traced and span-floor, at least that from otel', () => {
    expect(recordCheck('traced', 1, {})).toBe('ok');
    expect(recordCheck('traced', 0.97, {})).toBe('ok');
    expect(recordCheck('traced', 0, {})).toBe('missing');
    expect(recordCheck('traced', 0.5, {})).toBe('missing');
    expect(recordCheck('traced', 2, {})).toBe('wrong');
    expect(recordCheck('span-floor', 2, { 'span-floor': 2 })).toBe('ok');
    expect(recordCheck('otel', 2, {})).toBe('ok');
    expect(recordCheck('otel', 99.5, { otel: 100 })).toBe('ok');
    expect(recordCheck('otel', 1, { otel: 100 })).toBe('missing');
    expect(recordCheck('otel', Number.NaN, {})).toBe('missing');
  });

  it('flags a non-recording variant that exported spans', () => {
    expect(recordCheck('noop', 0, {})).toBe('n/a');
    expect(recordCheck('noop', 1, {})).toBe('wrong');
  });

  it('lists every variant that did not prove it recorded', () => {
    const report = summarize('ioredis', 'seq', 'GET', { raw: [sample(100)], traced: [sample(90, 10, 0)] });
    expect(recordingFailures([report])).toEqual(['ioredis seq traced: 0.00 spans/op, expected 1']);
  });
});

describe('compareByRound', () => {
  it('takes the median of per-round differences, each over raw of its round', () => {
    const raw = [sample(1000, 10, 0, 0), sample(2000, 10, 0, 1), sample(1000, 10, 0, 2)];
    // The machine is twice as fast in round 1: the difference there is still 3 points of raw.
    const floor = [sample(920, 10, 1, 0), sample(1860, 10, 1, 1), sample(890, 10, 1, 2)];
    const traced = [sample(900, 10, 1, 0), sample(1800, 10, 1, 1), sample(880, 10, 1, 2)];
    const gap = compareByRound(raw, floor, traced);
    expect(gap.value).toBeCloseTo(0.02, 10);
    expect(gap.interval[0]).toBeCloseTo(0.01, 10);
    expect(gap.interval[1]).toBeCloseTo(0.03, 10);
    expect(gap.rounds).toBe(3);
  });

  it('uses only rounds where raw and both variants ran, and is NaN without one', () => {
    const raw = [sample(1000, 10, 0, 0), sample(1000, 10, 0, 1)];
    const gap = compareByRound(raw, [sample(950, 10, 1, 0), sample(990, 10, 1, 1)], [sample(900, 10, 1, 1)]);
    expect(gap.rounds).toBe(1);
    expect(gap.value).toBeCloseTo(0.09, 10);
    expect(compareByRound(raw, undefined, [sample(900, 10, 1, 1)]).value).toBeNaN();
  });
});

describe('evaluateTargets', () => {
  const targetsFor = (noop: number, ownUs: number, traced: number, floor: number, otel: number) =>
    evaluateTargets([
      summarize(
        'w',
        's',
        't',
        {
          raw: [sample(1000, 10)],
          noop: [sample(noop * 1000, 10)],
          traced: [sample(traced * 1000, 12, 1)],
          'span-floor': [sample(floor * 1000, 12, 1)],
          otel: [sample(otel * 1000, 14, 1)],
        },
        {},
        [],
        { noop: [{ ownUsPerOp: ownUs, gcUsPerOp: 0 }] },
      ),
    ]);

  it('meets every target when noop ≥ 0.97, own CPU ≤ 0.5 µs, traced ≥ otel and within 3 points of the floor', () => {
    const targets = targetsFor(0.98, 0.4, 0.9, 0.92, 0.7);
    expect(targets.filter((t) => t.status !== 'met')).toEqual([]);
    expect(find(targets, 'noop / raw')?.value).toBeCloseTo(0.98, 10);
    expect(find(targets, OWN_CPU)?.value).toBeCloseTo(0.4, 10);
    expect(find(targets, 'traced / raw − otel / raw')?.value).toBeCloseTo(0.2, 10);
    expect(find(targets, 'span-floor / raw − traced / raw')?.value).toBeCloseTo(0.02, 10);
  });

  it('judges the floor and OpenTelemetry targets round by round, not as a difference of medians', () => {
    const raw = [sample(1000, 10, 0, 0), sample(1000, 10, 0, 1), sample(1000, 10, 0, 2)];
    const traced = [sample(900, 12, 1, 0), sample(700, 12, 1, 1), sample(880, 12, 1, 2)];
    const floor = [sample(920, 12, 1, 0), sample(760, 12, 1, 1), sample(890, 12, 1, 2)];
    const otel = [sample(890, 14, 1, 0), sample(760, 14, 1, 1), sample(870, 14, 1, 2)];
    const targets = evaluateTargets([summarize('w', 's', 't', { raw, traced, 'span-floor': floor, otel })]);
    // Per round: floor − traced 0.02, 0.06, 0.01 (the medians' difference would say 0.01).
    expect(find(targets, 'span-floor / raw − traced / raw')?.value).toBeCloseTo(0.02, 10);
    expect(find(targets, 'span-floor / raw − traced / raw')?.interval).toEqual([
      expect.closeTo(0.01, 10),
      expect.closeTo(0.06, 10),
    ]);
    // Per round: traced − otel 0.01, −0.06, 0.01.
    expect(find(targets, 'traced / raw − otel / raw')?.value).toBeCloseTo(0.01, 10);
  });

  it('misses each target on its own threshold', () => {
    const targets = targetsFor(0.96, 0.6, 0.8, 0.84, 0.85);
    expect(find(targets, 'noop / raw')?.status).toBe('missed');
    expect(find(targets, OWN_CPU)?.status).toBe('missed');
    expect(find(targets, 'traced / raw − otel / raw')?.status).toBe('missed');
    expect(find(targets, 'span-floor / raw − traced / raw')?.status).toBe('missed');
  });

  it('says "not measured" when a variant the target needs did not run', () => {
    const targets = evaluateTargets([summarize('w', 's', 't', { raw: [sample(1000)], otel: [sample(700, 10, 1)] })]);
    expect(find(targets, 'noop / raw')?.status).toBe('not measured');
    expect(find(targets, OWN_CPU)?.status).toBe('not measured');
    expect(find(targets, 'traced / raw − otel / raw')?.status).toBe('not measured');
    expect(find(targets, 'otel recorded')?.status).toBe('met');
    expect(targetsTable(targets)).toContain('not measured');
  });

  it('turns a recording variant that recorded nothing into a missed target', () => {
    const targets = evaluateTargets([summarize('w', 's', 't', { raw: [sample(1000)], traced: [sample(990)] })]);
    expect(find(targets, 'traced recorded')?.status).toBe('missed');
  });
});

describe('soakTargets', () => {
  const MB = 1024 * 1024;
  const phase = (growthMb: number) => ({
    subject: 'core',
    tracer: 'noop' as const,
    calls: 1_000_000,
    ms: 1,
    heapBeforeBytes: 10 * MB,
    heapAfterBytes: (10 + growthMb) * MB,
    spans: 0,
  });

  it('meets heap growth under 5 MB and a process that exits on its own', () => {
    const targets = soakTargets({ phases: [phase(0.2)], activeResources: [], notes: [], exitedOnItsOwn: true });
    expect(targets.map((t) => t.status)).toEqual(['met', 'met']);
  });

  it('misses 5 MB of growth or a process that had to be killed', () => {
    const targets = soakTargets({ phases: [phase(5)], activeResources: ['Timeout'], notes: [], exitedOnItsOwn: false });
    expect(targets.map((t) => t.status)).toEqual(['missed', 'missed']);
  });
});

describe('scenarioTable', () => {
  it('has one row per variant that ran, with its proof of recording', () => {
    const table = scenarioTable(
      summarize('pg', 'seq', 'pg `SELECT 1`', { raw: [sample(1000)], traced: [sample(900, 10, 1)] }, {}, ['a note']),
    );
    const rows = table.split('\n').filter((l) => /^\| (raw|noop|traced|span-floor|otel) /.test(l));
    expect(rows).toHaveLength(2);
    expect(rows[1]).toContain('1.00 ✓');
    expect(table).toContain('> a note');
  });
});

describe('targetsMatrix', () => {
  it('has one row per scenario with a cell per target and the recording proof', () => {
    const s = (opsPerSec: number, spansPerOp = 0) => ({
      round: 0,
      opsPerSec,
      cpuUsPerOp: 10,
      spansPerOp,
      tagsPerSpan: 0,
    });
    const targets = evaluateTargets([
      summarize('pg', 'seq', 't', { raw: [s(1000)], noop: [s(950)], traced: [s(900, 1)], otel: [s(600, 0)] }, {}, [], {
        noop: [{ ownUsPerOp: 0, gcUsPerOp: 0 }],
      }),
      summarize('ioredis', 'seq', 't', { raw: [s(1000)], 'span-floor': [s(900, 1)] }),
    ]);
    const matrix = targetsMatrix(targets);
    const rows = matrix.split('\n').slice(2);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^\| pg seq \| 0\.950 ✗ \*\*missed\*\* \| 0\.00 ✓ \| 0\.300 ✓ \| – \| ✗ \*\*otel\*\* \|$/);
    expect(rows[1]).toBe('| ioredis seq | – | – | – | – | ✓ (1) |');
  });
});
