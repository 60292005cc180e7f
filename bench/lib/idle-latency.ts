/**
 * Keeps idle CPUs in their shallowest idle state while the benchmark runs, through Linux's PM
 * QoS interface: a process that writes a 32-bit 0 to `/dev/cpu_dma_latency` and keeps the file
 * open asks the kernel for zero wake-up latency, so an idle CPU polls instead of halting; the
 * request ends when the file is closed (or the process exits). It is what `tuned`'s
 * latency-performance profile does.
 *
 * Why: on a virtual machine, a CPU that halts exits to the hypervisor and is woken by it. Here
 * (KVM, `haltpoll` with polling off) that sleep and wake-up cost more than the work of a
 * sequential query: with the request held, mysql2 `SELECT 1` went from ~10,000 to ~36,000 ops/s
 * and from 51 to 19 µs of process CPU an op (bench/README, session 13), and a client's extra
 * microseconds were magnified by how often they let a CPU fall asleep. Holding it measures the
 * clients' own work, steadily; it changes nothing on a machine whose CPUs do not halt deeply.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

const DEVICE = '/dev/cpu_dma_latency';

export type IdleLatency =
  | { readonly held: true; release(): void }
  | { readonly held: false; readonly reason: string; release(): void };

const notHeld = (device: string, error: unknown): IdleLatency => ({
  held: false,
  reason: `${device}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
  release() {},
});

/**
 * Asks for zero idle wake-up latency until `release()`; says why when it cannot (not Linux,
 * not root). `device` is for tests.
 */
export function holdShallowIdle(device = DEVICE): IdleLatency {
  let fd: number;
  try {
    fd = openSync(device, 'w');
  } catch (error) {
    return notHeld(device, error);
  }
  try {
    writeSync(fd, Buffer.alloc(4)); // the Int32 0, in the machine's byte order either way
  } catch (error) {
    closeSync(fd);
    return notHeld(device, error);
  }
  let open = true;
  return {
    held: true,
    release() {
      if (!open) return;
      open = false;
      closeSync(fd);
    },
  };
}
