import { describe, expect, it } from 'vitest';
import { busy, chartGroups, renderMarkdown } from '../../bench/lib/report.js';
import { summarize } from '../../bench/lib/stats.js';
import { ratioChart, VARIANT_COLORS } from '../../bench/lib/svg.js';

/** A small well-formedness check: every tag closes in order, attributes are quoted, no stray `<` or `&`. */
function expectWellFormedXml(xml: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(xml); m !== null; m = tag.exec(xml)) {
    const text = xml.slice(last, m.index);
    expect(text, 'text between tags').not.toMatch(/[<>]|&(?!(lt|gt|amp|apos|quot);)/);
    last = tag.lastIndex;
    const [, closing, name, , selfClosing] = m;
    if (closing) expect(stack.pop(), `closing </${name}>`).toBe(name);
    else if (!selfClosing) stack.push(name as string);
  }
  expect(xml.slice(last).trim()).toBe('');
  expect(stack).toEqual([]);
}

const groups = [
  {
    label: 'pg seq',
    bars: [
      { variant: 'noop' as const, ratio: 0.99 },
      { variant: 'traced' as const, ratio: 0.9 },
      { variant: 'span-floor' as const, ratio: 0.91 },
      { variant: 'otel' as const, ratio: 0.6 },
    ],
  },
  { label: 'ioredis <pipeline> & co', bars: [{ variant: 'traced' as const, ratio: 0.95 }] },
];

describe('ratioChart', () => {
  const svg = ratioChart(groups);

  it('is one well-formed SVG document', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expectWellFormedXml(svg);
  });

  it('draws one bar per variant and workload, in the variant colour', () => {
    const bars = [...svg.matchAll(/<rect class="bar" data-variant="([\w-]+)"[^>]*fill="([^"]+)"/g)];
    expect(bars.map((b) => b[1])).toEqual(['noop', 'traced', 'span-floor', 'otel', 'traced']);
    for (const [, variant, fill] of bars) expect(fill).toBe(VARIANT_COLORS[variant as keyof typeof VARIANT_COLORS]);
  });

  it('makes bar lengths proportional to the ratio', () => {
    const widths = [...svg.matchAll(/<rect class="bar"[^>]* width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect((widths[3] as number) / (widths[0] as number)).toBeCloseTo(0.6 / 0.99, 2);
  });

  it('escapes labels', () => {
    expect(svg).toContain('ioredis &lt;pipeline&gt; &amp; co');
  });

  it('leaves out bars without a finite ratio and still renders an empty chart', () => {
    const partial = ratioChart([{ label: 'x', bars: [{ variant: 'traced', ratio: Number.NaN }] }]);
    expectWellFormedXml(partial);
    expect(partial).not.toContain('class="bar"');
    expectWellFormedXml(ratioChart([]));
  });
});

describe('chartGroups', () => {
  it('makes one group per scenario with a raw baseline and a bar for every other variant', () => {
    const s = (opsPerSec: number) => ({ round: 0, opsPerSec, cpuUsPerOp: 1, spansPerOp: 0, tagsPerSpan: 0 });
    const reports = [
      summarize('pg', 'seq', 't', { raw: [s(100)], noop: [s(99)], otel: [{ ...s(50), spansPerOp: 1 }] }),
      summarize('mysql2', 'seq', 't', {}, {}, ['skipped']),
    ];
    expect(chartGroups(reports)).toEqual([
      {
        label: 'pg seq',
        bars: [
          { variant: 'noop', ratio: 0.99 },
          { variant: 'otel', ratio: 0.5 },
        ],
      },
    ]);
  });
});

describe('renderMarkdown', () => {
  const meta = {
    date: '2026-01-01T00:00:00.000Z',
    node: 'v20',
    profile: 'quick',
    durationMs: 700,
    warmupMs: 400,
    rounds: 3,
    cpus: 2,
    loadAverage: [0.5, 0.5, 0.5],
    tracedSource: 'src/',
  };
  const s = (opsPerSec: number) => ({ round: 0, opsPerSec, cpuUsPerOp: 1, spansPerOp: 0, tagsPerSpan: 0 });
  const report = {
    meta,
    scenarios: [summarize('pg', 'seq', 'pg `SELECT 1`', { raw: [s(100)], noop: [s(99)] })],
    targets: [],
    soak: undefined,
    failures: ['pg seq traced: exit code 1'],
  };

  it('shows the chart, a table per scenario and the failures', () => {
    const md = renderMarkdown(report);
    expect(md).toContain('![throughput as a fraction of raw](ratios.svg)');
    expect(md).toContain('### pg `SELECT 1`');
    expect(md).toContain('- pg seq traced: exit code 1');
    expect(md).not.toContain('Busy machine');
  });

  it('says how the processes were warmed up, and which workloads longer', () => {
    expect(renderMarkdown(report)).toContain('(after 400 ms warm-up)');
    const turns = renderMarkdown({ ...report, meta: { ...meta, longerWarmups: { dynamodb: 10_000 } } });
    expect(turns).toContain('(after 400 ms of warm-up in turns (dynamodb 10000 ms))');
    expect(renderMarkdown({ ...report, meta: { ...meta, longerWarmups: {} } })).toContain(
      '(after 400 ms of warm-up in turns)',
    );
  });

  it('warns when the machine was busy at the start', () => {
    expect(busy({ cpus: 2, loadAverage: [2.5, 1, 1] })).toBe(true);
    expect(renderMarkdown({ ...report, meta: { ...meta, loadAverage: [7.9, 7, 6] } })).toContain('Busy machine');
  });
});
