/**
 * The parts of ioredis's internals this client reads (never writes). They are not in
 * ioredis's public types; each is checked where it is read, so a change in ioredis makes
 * the tags poorer, never the call fail. Never exported.
 */
import type { Buffer } from 'node:buffer';

/** A queued `Command` (ioredis `Command`): its name, flattened arguments, and keys. */
export interface RawCommand {
  readonly name: string;
  readonly args: unknown[];
  getKeys?: () => (string | Buffer)[];
}

/** What a `Pipeline` keeps: the queued commands and whether a MULTI is open on it. */
export interface PipelineInternals {
  readonly _queue?: RawCommand[];
  readonly _transactions?: number;
}

/** A `Script` of `defineCommand`: the number of keys it takes. */
export interface ScriptInternals {
  readonly numberOfKeys?: number | null;
}

/** What every ioredis client (Redis, Cluster) exposes that this client reads. */
export interface CommanderInternals {
  readonly scriptsSet?: Record<string, ScriptInternals>;
  getBuiltinCommands?: () => string[];
  readonly isCluster?: boolean;
}

/** Connection options of a standalone client, as parsed by its constructor. */
export interface StandaloneOptions {
  readonly host?: string;
  readonly port?: number;
  readonly path?: string;
  readonly db?: number;
  readonly sentinels?: unknown[];
  readonly name?: string;
  readonly keyPrefix?: string | Buffer;
}

/** The current connection condition of a standalone client (its selected db). */
export interface StandaloneInternals {
  readonly options?: StandaloneOptions;
  readonly condition?: { readonly select?: number } | null;
}

/** A Cluster's seed nodes, as given to its constructor. */
export type SeedNode = string | number | { readonly host?: string; readonly port?: number | string };

export interface ClusterInternals {
  readonly startupNodes?: SeedNode[];
  /** Slot → node keys (`host:port`), master first; empty until the cluster is ready. */
  readonly slots?: (string[] | undefined)[];
  readonly options?: { readonly scaleReads?: unknown; readonly keyPrefix?: string };
  readonly status?: string;
}
