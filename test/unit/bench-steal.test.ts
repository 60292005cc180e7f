import { describe, expect, it } from 'vitest';
import { parseCpuLine } from '../../bench/lib/steal.js';

describe('parseCpuLine', () => {
  it('reads steal and the total of the first eight columns from the aggregate cpu line', () => {
    const stat = 'cpu  100 5 50 800 10 0 5 30 0 0\ncpu0 50 2 25 400 5 0 2 15 0 0\nintr 1 2\n';
    expect(parseCpuLine(stat)).toEqual({ steal: 30, total: 1000 });
  });

  it('gives nothing for a file without a usable cpu line', () => {
    expect(parseCpuLine('intr 1 2\n')).toBeUndefined();
    expect(parseCpuLine('cpu  1 2 3\n')).toBeUndefined();
  });
});
