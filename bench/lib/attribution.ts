/**
 * Whose code a CPU profile's time went to. Our own cost per call is a fraction of a
 * microsecond on operations of 10–300 µs whose CPU time swings by ±10% from one process to the
 * next on a shared machine, so "noop CPU − raw CPU" cannot resolve it. A V8 sampling profile of
 * the noop variant can: every sample is charged to the innermost frame that belongs to some
 * package, walking out through frames that belong to nobody (V8 builtins, Node internals, the
 * opentracing no-op tracer, which only runs because we call it). Samples charged to
 * traced-clients' own files are our cost; the client library's, the bench's and the runtime's
 * are not. Pure functions over the profile object, unit-tested in test/unit/bench-attribution.test.ts.
 */
import { median } from './stats.js';

/** The parts of a V8 `Profiler.Profile` read here (node:inspector's shape). */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string };
    readonly children?: readonly number[];
  }[];
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

/** `unseen`: the part of a sampling stall that no sample observed (see {@link attribute}). */
export type Owner = 'ours' | 'gc' | 'idle' | 'other' | 'unseen';

export interface Attribution {
  /** Sampled µs charged to each owner. */
  readonly us: Readonly<Record<Owner, number>>;
  readonly samples: number;
}

/**
 * `ours` decides from a frame's URL whether it is our code (e.g. under the repository's
 * `src/`); `transparent` whether the frame belongs to nobody and the sample should go to its
 * caller.
 */
export interface Classifier {
  ours(url: string): boolean;
  transparent(url: string, functionName: string): boolean;
}

/**
 * V8 builtins and natives (no URL), Node's own internals, and the opentracing package. Not
 * the libraries Node bundles (`node:internal/deps/…`: undici behind the global fetch): those
 * are a client like any other.
 */
export function defaultTransparent(url: string): boolean {
  if (url === '') return true;
  if (url.startsWith('node:')) return !url.startsWith('node:internal/deps/');
  return /[\\/]node_modules[\\/]opentracing[\\/]/.test(url);
}

/** A classifier for code under any of `roots` (absolute paths or file: URLs of folders). */
export function classifierFor(roots: readonly string[]): Classifier {
  const prefixes = roots.flatMap((root) => {
    const path = root.replace(/^file:\/\//, '').replace(/\/?$/, '/');
    return [path, `file://${path}`];
  });
  return {
    ours: (url) => prefixes.some((p) => url.startsWith(p)),
    transparent: defaultTransparent,
  };
}

/** Charges every sample of `profile` to an owner; see the module comment. */
export function attribute(profile: CpuProfile, classifier: Classifier): Attribution {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);
  const ownerOf = new Map<number, Owner>();
  const owner = (id: number): Owner => {
    const known = ownerOf.get(id);
    if (known !== undefined) return known;
    let result: Owner = 'other';
    const leaf = byId.get(id);
    const name = leaf?.callFrame.functionName;
    if (name === '(garbage collector)') result = 'gc';
    else if (name === '(idle)') result = 'idle';
    else {
      for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
        const frame = byId.get(at)?.callFrame;
        if (frame === undefined) break;
        if (classifier.ours(frame.url)) {
          result = 'ours';
          break;
        }
        if (!classifier.transparent(frame.url, frame.functionName)) break;
      }
    }
    ownerOf.set(id, result);
    return result;
  };
  const us: Record<Owner, number> = { ours: 0, gc: 0, idle: 0, other: 0, unseen: 0 };
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // A sample's delta is the time since the previous sample: charge it the delta that follows
  // it (how long the sampled state lasted), the last one the mean. But on a busy 2-CPU machine
  // the sampler thread itself stalls for milliseconds (a quarter of a window's time came in
  // gaps over 1 ms, at a median interval of ~190 µs): a function sampled just before a stall
  // did not run for all of it, so a frame is charged at most twice the median interval and the
  // rest is `unseen`. A GC pause does last: its sample keeps the whole gap.
  const mean = deltas.length === 0 ? 0 : deltas.reduce((a, b) => a + b, 0) / deltas.length;
  const cap = deltas.length === 0 ? 0 : 2 * median(deltas);
  for (let i = 0; i < samples.length; i++) {
    const delta = Math.max(0, i + 1 < deltas.length ? (deltas[i + 1] as number) : mean);
    const who = owner(samples[i] as number);
    const seen = who === 'gc' ? delta : Math.min(delta, cap);
    us[who] += seen;
    us.unseen += delta - seen;
  }
  return { us, samples: samples.length };
}
