/**
 * CPU steal over the run: the share of the CPUs' time the hypervisor gave to other guests
 * (`/proc/stat`, Linux). A shared virtual machine that steals 20% of its time makes
 * every window's speed swing with its neighbours' load; the report prints the figure so a
 * reader can tell a noisy run from a steady one. `undefined` where `/proc/stat` is unreadable.
 */
import { readFileSync } from 'node:fs';

interface CpuTimes {
  readonly steal: number;
  readonly total: number;
}

/** The aggregate `cpu` line: user nice system idle iowait irq softirq steal … (in ticks). */
export function parseCpuLine(stat: string): CpuTimes | undefined {
  const line = stat.split('\n').find((l) => l.startsWith('cpu '));
  if (line === undefined) return undefined;
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (ticks.length < 8 || ticks.some((t) => !Number.isFinite(t))) return undefined;
  return { steal: ticks[7] as number, total: ticks.reduce((a, b) => a + b, 0) };
}

function readCpuTimes(): CpuTimes | undefined {
  try {
    return parseCpuLine(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

/** Starts counting; `percent()` gives the steal since then, in % of all CPU time. */
export function stealMeter(): { percent(): number | undefined } {
  const start = readCpuTimes();
  return {
    percent() {
      const end = readCpuTimes();
      if (start === undefined || end === undefined || end.total <= start.total) return undefined;
      return (100 * (end.steal - start.steal)) / (end.total - start.total);
    },
  };
}
