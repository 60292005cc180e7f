import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { holdShallowIdle } from '../../bench/lib/idle-latency.js';

describe('holdShallowIdle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'idle-latency-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the 32-bit zero request and keeps the file open until released, once', () => {
    const device = join(dir, 'cpu_dma_latency');
    const idle = holdShallowIdle(device);
    expect(idle.held).toBe(true);
    expect([...readFileSync(device)]).toEqual([0, 0, 0, 0]);
    idle.release();
    expect(() => idle.release()).not.toThrow();
  });

  it('says why when the device cannot be opened, and releasing is harmless', () => {
    const idle = holdShallowIdle(join(dir, 'missing', 'cpu_dma_latency'));
    expect(idle).toMatchObject({ held: false, reason: expect.stringMatching(/cpu_dma_latency: ENOENT$/) });
    expect(() => idle.release()).not.toThrow();
  });
});
