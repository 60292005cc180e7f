import { describe, expect, it } from 'vitest';
import { soakTargets } from '../../bench/lib/report.js';
import {
  evaluateTargets,
  median,
  recordCheck,
  recordingFailures,
  type Sample,
  scenarioTable,
  summarize,
  type Target,
  targetsMatrix,
  targetsTable,
  toSample,
} from '../../bench/lib/stats.js';

const sample = (opsPerSec: number, cpuUsPerOp = 10, spansPerOp = 0): Sample => ({ opsPerSec, cpuUsPerOp, spansPerOp });
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
  it('turns one process run into per-op figures', () => {
    expect(toSample({ ops: 2000, elapsedMs: 1000, cpuUs: 50_000, spans: 2000 })).toEqual({
      opsPerSec: 2000,
      cpuUsPerOp: 25,
      spansPerOp: 1,
    });
  });
});

describe('summarize', () => {
  const report = summarize(
    'pg',
    'seq',
    'pg SELECT 1',
    {
      raw: [sample(1000, 20), sample(900, 30), sample(1100, 10)],
      noop: [sample(990, 20.3), sample(980, 20.4), sample(1000, 20.2)],
      traced: [sample(800, 30, 1), sample(810, 30, 1), sample(790, 30, 1)],
      'span-floor': [sample(820, 29, 1)],
      otel: [sample(600, 50, 2)],
    },
    {},
  );
  const row = (variant: string) => report.rows.find((r) => r.variant === variant);

  it('reports medians and everything relative to raw of the same run', () => {
    expect(report.rows.map((r) => r.variant)).toEqual(['raw', 'noop', 'traced', 'span-floor', 'otel']);
    expect(row('raw')).toMatchObject({ opsPerSec: 1000, ratio: 1, addedUsPerOp: 0, addedCpuUsPerOp: 0, rounds: 3 });
    expect(row('noop')?.ratio).toBeCloseTo(0.99, 10);
    expect(row('noop')?.addedCpuUsPerOp).toBeCloseTo(0.3, 10);
    // 1/800 s − 1/1000 s = 250 µs
    expect(row('traced')?.addedUsPerOp).toBeCloseTo(250, 6);
    expect(row('otel')?.ratio).toBeCloseTo(0.6, 10);
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

describe('evaluateTargets', () => {
  const targetsFor = (noop: number, noopCpu: number, traced: number, floor: number, otel: number) =>
    evaluateTargets([
      summarize('w', 's', 't', {
        raw: [sample(1000, 10)],
        noop: [sample(noop * 1000, noopCpu)],
        traced: [sample(traced * 1000, 12, 1)],
        'span-floor': [sample(floor * 1000, 12, 1)],
        otel: [sample(otel * 1000, 14, 1)],
      }),
    ]);

  it('meets every target when noop ≥ 0.97, own CPU ≤ 0.5 µs, traced ≥ otel and within 3 points of the floor', () => {
    const targets = targetsFor(0.98, 10.4, 0.9, 0.92, 0.7);
    expect(targets.filter((t) => t.status !== 'met')).toEqual([]);
    expect(find(targets, 'noop / raw')?.value).toBeCloseTo(0.98, 10);
    expect(find(targets, 'own CPU µs per call (noop − raw)')?.value).toBeCloseTo(0.4, 10);
    expect(find(targets, 'traced / raw − otel / raw')?.value).toBeCloseTo(0.2, 10);
    expect(find(targets, 'span-floor / raw − traced / raw')?.value).toBeCloseTo(0.02, 10);
  });

  it('misses each target on its own threshold', () => {
    const targets = targetsFor(0.96, 10.6, 0.8, 0.84, 0.85);
    expect(find(targets, 'noop / raw')?.status).toBe('missed');
    expect(find(targets, 'own CPU µs per call (noop − raw)')?.status).toBe('missed');
    expect(find(targets, 'traced / raw − otel / raw')?.status).toBe('missed');
    expect(find(targets, 'span-floor / raw − traced / raw')?.status).toBe('missed');
  });

  it('says "not measured" when a variant the target needs did not run', () => {
    const targets = evaluateTargets([summarize('w', 's', 't', { raw: [sample(1000)], otel: [sample(700, 10, 1)] })]);
    expect(find(targets, 'noop / raw')?.status).toBe('not measured');
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
    const s = (opsPerSec: number, spansPerOp = 0) => ({ opsPerSec, cpuUsPerOp: 10, spansPerOp });
    const targets = evaluateTargets([
      summarize('pg', 'seq', 't', { raw: [s(1000)], noop: [s(950)], traced: [s(900, 1)], otel: [s(600, 0)] }),
      summarize('ioredis', 'seq', 't', { raw: [s(1000)], 'span-floor': [s(900, 1)] }),
    ]);
    const matrix = targetsMatrix(targets);
    const rows = matrix.split('\n').slice(2);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^\| pg seq \| 0\.950 ✗ \*\*missed\*\* \| 0\.00 ✓ \| 0\.300 ✓ \| – \| ✗ \*\*otel\*\* \|$/);
    expect(rows[1]).toBe('| ioredis seq | – | – | – | – | ✓ (1) |');
  });
});
