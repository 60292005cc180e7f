/** The parts of pg's internals the traced client reads. Never exported. */
import type { EventEmitter } from 'node:events';

export interface PgQueryConfigLike {
  readonly text?: unknown;
  readonly values?: unknown;
  readonly name?: unknown;
  readonly submit?: unknown;
  readonly callback?: unknown;
}

/** A Submittable (pg-cursor, pg-query-stream): pg drives it through these methods. */
export interface PgSubmittableLike extends EventEmitter {
  submit(connection: unknown): void;
  readonly text?: unknown;
  readonly values?: unknown;
  readonly cursor?: { readonly text?: unknown; readonly values?: unknown };
}

export interface PgPoolOptionsLike {
  readonly host?: string;
  readonly port?: number | string;
  readonly database?: string;
  readonly user?: string;
  readonly connectionString?: string;
}

export interface PgPoolLike extends EventEmitter {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly options?: PgPoolOptionsLike;
  connect(callback?: (...args: unknown[]) => void): unknown;
  query(...args: unknown[]): unknown;
}

export interface PgClientLike extends EventEmitter {
  readonly host?: string;
  readonly port?: number;
  readonly database?: string;
  readonly user?: string;
  query(...args: unknown[]): unknown;
}
