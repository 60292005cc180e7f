/**
 * V8's sampling profiler over one window of this process (node:inspector), its profile
 * charged to owners as soon as it stops (`attribution.ts`), so no profile file is written.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { librarySource } from '../traced/load.js';
import { type Attribution, attribute, type CpuProfile, classifierFor } from './attribution.js';

/** µs between samples: fine enough for a few thousand samples per second of run. */
const SAMPLING_INTERVAL_US = 100;

export async function startProfiler(): Promise<{ stop(): Promise<Attribution> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      // For reading a window's profile by hand (DevTools, or by function): `BENCH_PROFILE_OUT=file`.
      const out = process.env.BENCH_PROFILE_OUT;
      if (out !== undefined && out !== '') writeFileSync(out, JSON.stringify(profile));
      return attribute(profile as CpuProfile, classifierFor([librarySource]));
    },
  };
}
