/**
 * The ratio chart (`bench/results/ratios.svg`): one group per workload scenario, one
 * horizontal bar per variant showing its throughput as a fraction of raw, with the 1.0 line
 * (raw) and the 0.97 line (the no-op target). Hand-written SVG: no chart library, no fonts
 * to load, renders on GitHub.
 */
import type { Variant } from './protocol.js';

export interface ChartBar {
  readonly variant: Variant;
  readonly ratio: number;
}

export interface ChartGroup {
  readonly label: string;
  readonly bars: readonly ChartBar[];
}

export const VARIANT_COLORS: Readonly<Record<Variant, string>> = {
  raw: '#9e9e9e',
  noop: '#4caf50',
  traced: '#1e88e5',
  'span-floor': '#8e24aa',
  otel: '#f4511e',
};

const escapeXml = (text: string): string =>
  text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string,
  );

/** Renders the chart; bars with a non-finite ratio are left out. */
export function ratioChart(
  groups: readonly ChartGroup[],
  title = 'Throughput as a fraction of the raw client',
): string {
  const labelWidth = 250;
  const plotWidth = 520;
  const barHeight = 14;
  const barGap = 3;
  const groupGap = 14;
  const top = 56;
  const variants = [...new Set(groups.flatMap((g) => g.bars.map((b) => b.variant)))];
  const finite = groups.flatMap((g) => g.bars.map((b) => b.ratio)).filter(Number.isFinite);
  const max = Math.max(1.1, ...finite.map((r) => Math.ceil(r * 10) / 10));
  const x = (ratio: number) => labelWidth + (Math.max(0, ratio) / max) * plotWidth;

  const body: string[] = [];
  let y = top;
  for (const group of groups) {
    const bars = group.bars.filter((b) => Number.isFinite(b.ratio));
    const groupHeight = Math.max(1, bars.length) * (barHeight + barGap) - barGap;
    body.push(
      `<text class="group" x="${labelWidth - 8}" y="${(y + groupHeight / 2 + 4).toFixed(1)}" text-anchor="end">${escapeXml(group.label)}</text>`,
    );
    for (const bar of bars) {
      const width = x(bar.ratio) - labelWidth;
      body.push(
        `<rect class="bar" data-variant="${escapeXml(bar.variant)}" x="${labelWidth}" y="${y}" width="${width.toFixed(1)}" height="${barHeight}" fill="${VARIANT_COLORS[bar.variant]}"><title>${escapeXml(`${group.label} — ${bar.variant}: ${bar.ratio.toFixed(3)}`)}</title></rect>`,
        `<text class="value" x="${(labelWidth + width + 4).toFixed(1)}" y="${y + barHeight - 3}">${bar.ratio.toFixed(3)}</text>`,
      );
      y += barHeight + barGap;
    }
    y += groupGap - barGap;
  }
  const bottom = y + 8;
  const height = bottom + 40;
  const width = labelWidth + plotWidth + 70;

  const ticks: string[] = [];
  for (let t = 0; t <= max + 1e-9; t += 0.2) {
    const tx = x(t).toFixed(1);
    ticks.push(
      `<line class="tick" x1="${tx}" y1="${top - 6}" x2="${tx}" y2="${bottom}"/>`,
      `<text class="axis" x="${tx}" y="${bottom + 14}" text-anchor="middle">${t.toFixed(1)}</text>`,
    );
  }
  const legend = variants
    .map((v, i) => {
      const lx = labelWidth + i * 110;
      return `<rect x="${lx}" y="30" width="12" height="12" fill="${VARIANT_COLORS[v]}"/><text class="axis" x="${lx + 16}" y="40">${escapeXml(v)}</text>`;
    })
    .join('');

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    '<style>.group{fill:#222}.value,.axis{fill:#555}.value{paint-order:stroke;stroke:#fff;stroke-width:3px}.tick{stroke:#e0e0e0}.raw{stroke:#222;stroke-width:1.5}.target{stroke:#4caf50;stroke-dasharray:4 3}</style>',
    '<rect width="100%" height="100%" fill="#fff"/>',
    `<text x="${labelWidth}" y="18" font-size="14" fill="#222">${escapeXml(title)}</text>`,
    legend,
    ...ticks,
    ...body,
    `<line class="raw" x1="${x(1).toFixed(1)}" y1="${top - 6}" x2="${x(1).toFixed(1)}" y2="${bottom}"><title>raw = 1.0</title></line>`,
    `<line class="target" x1="${x(0.97).toFixed(1)}" y1="${top - 6}" x2="${x(0.97).toFixed(1)}" y2="${bottom}"><title>noop target 0.97</title></line>`,
    `<text class="axis" x="${labelWidth}" y="${bottom + 32}">solid line: raw = 1.0 · dashed: noop target 0.97 · bar: median ops/s ÷ raw ops/s of the same run</text>`,
    '</svg>',
    '',
  ].join('\n');
}
