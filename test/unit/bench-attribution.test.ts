import { describe, expect, it } from 'vitest';
import { attribute, type CpuProfile, classifierFor, defaultTransparent } from '../../bench/lib/attribution.js';

const OURS = 'file:///app/node_modules/traced-clients/dist/chunk.js';
const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({
  id,
  callFrame: { functionName, url },
  children,
});

// root ─ main(bench) ─ tracedGet(ours) ─ Reflect.apply(builtin) ─ get(ioredis) ─ write(node:net)
//                    │                 └ run(node:async_hooks)
//                    ├ get(ioredis)
//                    └ fetch(node:internal/deps/undici) (called by the bench, not us)
// root ─ (garbage collector), (idle), (program)
const profile: CpuProfile = {
  nodes: [
    frame(1, '(root)', '', [2, 9, 10, 11]),
    frame(2, 'main', 'file:///app/bench/run.js', [3, 7, 8]),
    frame(3, 'tracedGet', OURS, [4, 12]),
    frame(4, 'apply', '', [5]),
    frame(5, 'get', 'file:///app/node_modules/ioredis/built/Redis.js', [6]),
    frame(6, 'write', 'node:net'),
    frame(7, 'get', 'file:///app/node_modules/ioredis/built/Redis.js'),
    frame(8, 'fetch', 'node:internal/deps/undici/undici'),
    frame(9, '(garbage collector)', ''),
    frame(10, '(idle)', ''),
    frame(11, '(program)', ''),
    frame(12, 'run', 'node:async_hooks'),
  ],
  // Each sample is charged the delta that follows it; the last one the mean delta.
  samples: [3, 4, 12, 5, 6, 7, 8, 9, 10, 11],
  timeDeltas: [10, 10, 10, 10, 10, 10, 10, 10, 10, 10],
};

describe('attribute', () => {
  const result = attribute(profile, classifierFor(['/app/node_modules/traced-clients/dist']));

  it('charges our frames, and builtins and Node internals they call, to us', () => {
    // tracedGet itself, the Reflect.apply builtin under it, and async_hooks' run under it.
    expect(result.us.ours).toBe(30);
  });

  it('charges the client library, Node-bundled libraries and the runtime to others', () => {
    // ioredis's get (twice), node:net under ioredis, bundled undici, (program).
    expect(result.us.other).toBe(50);
    expect(result.us.gc).toBe(10);
    expect(result.us.idle).toBe(10);
    expect(result.samples).toBe(10);
  });

  it('reads an empty profile as nothing', () => {
    expect(attribute({ nodes: [] }, classifierFor(['/x'])).us).toEqual({
      ours: 0,
      gc: 0,
      idle: 0,
      other: 0,
      unseen: 0,
    });
  });

  it('charges a frame sampled before a sampler stall at most twice the median interval; a GC pause in full', () => {
    // Samples: ours; other, then a 500 µs stall; gc, then a 300 µs pause; others at 10 µs.
    const stalled = attribute(
      { ...profile, samples: [3, 7, 9, 7, 7, 7], timeDeltas: [10, 10, 500, 300, 10, 10] },
      classifierFor(['/app/node_modules/traced-clients/dist']),
    );
    expect(stalled.us.ours).toBe(10); // the delta after it is 10
    expect(stalled.us.gc).toBe(300);
    // 500 → 20 (twice the median, 10), 10, 10, the last one the mean (140) → 20.
    expect(stalled.us.other).toBe(20 + 10 + 10 + 20);
    expect(stalled.us.unseen).toBe(480 + 120);
  });
});

describe('defaultTransparent', () => {
  it('sees through builtins, Node internals and the opentracing package, not through bundled libraries', () => {
    expect(defaultTransparent('')).toBe(true);
    expect(defaultTransparent('node:internal/async_local_storage/async_hooks')).toBe(true);
    expect(defaultTransparent('file:///app/node_modules/opentracing/lib/tracer.js')).toBe(true);
    expect(defaultTransparent('node:internal/deps/undici/undici')).toBe(false);
    expect(defaultTransparent('file:///app/node_modules/pg/lib/client.js')).toBe(false);
  });

  it('takes folders given as paths or file: URLs', () => {
    const classifier = classifierFor(['file:///a/dist/']);
    expect(classifier.ours('file:///a/dist/index.js')).toBe(true);
    expect(classifier.ours('file:///a/distant/index.js')).toBe(false);
  });
});
