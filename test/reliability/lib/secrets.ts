/**
 * Marker secrets and the scanner that looks for them in everything a span exports: its
 * operation name, every tag, every log (event) name and field, and the status message, walking
 * nested values. A marker's distinctive core (random, not hex, so it cannot match an id) is
 * what is searched: its first or its last 10 characters, so a secret that was quoted, escaped
 * or cut by a length cap still counts as leaked.
 */
import { randomBytes } from 'node:crypto';
import type { RecordedSpan } from '../../helpers/tracing.js';

/** Where a marker was placed: a label for the report. */
export type Placement = string;

export interface Marker {
  readonly placement: Placement;
  /** The full secret as placed. */
  readonly value: string;
  /** The part searched for in exported spans. */
  readonly core: string;
}

const LETTERS = 'ghijklmnopqrstuvwxyz'; // no hex digits: a core never matches a trace or span id

function randomLetters(n: number): string {
  const bytes = randomBytes(n);
  let out = '';
  for (const byte of bytes) out += LETTERS[byte % LETTERS.length];
  return out;
}

function randomDigits(n: number): string {
  const bytes = randomBytes(n);
  let out = String(((bytes[0] ?? 0) % 9) + 1);
  for (let i = 1; i < n; i++) out += String((bytes[i] ?? 0) % 10);
  return out;
}

/** The marker corpus of one test: markers are made on demand and remembered. */
export class SecretCorpus {
  readonly markers: Marker[] = [];

  /** A text secret (letters only: safe inside SQL strings, URLs, headers, JSON). */
  text(placement: Placement): string {
    const core = `zq${randomLetters(14)}`;
    const value = `Secret${core}`;
    this.markers.push({ placement, value, core });
    return value;
  }

  /** A numeric secret (a 15-digit number: an SQL numeric literal, a card-like value). */
  number(placement: Placement): string {
    const core = `7${randomDigits(14)}`;
    this.markers.push({ placement, value: core, core });
    return core;
  }
}

export interface Leak {
  readonly span: string;
  /** `name`, `tag <key>`, `log <event> <field>`, `status`. */
  readonly where: string;
  readonly placement: Placement;
}

function walk(value: unknown, visit: (text: string, path: string) => void, path: string, seen: Set<object>): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'string') {
    visit(value, path);
    return;
  }
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    visit(String(value), path);
    return;
  }
  if (typeof value !== 'object') return;
  if (seen.has(value)) return;
  seen.add(value);
  if (value instanceof Error) {
    visit(value.message, `${path}.message`);
    if (value.stack !== undefined) visit(value.stack, `${path}.stack`);
  }
  if (ArrayBuffer.isView(value)) {
    visit(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('latin1'), path);
    return;
  }
  for (const key of Object.keys(value)) {
    visit(key, `${path}[key]`);
    walk((value as Record<string, unknown>)[key], visit, `${path}.${key}`, seen);
  }
}

/** Every exported string of a span, with where it was found. */
export function exportedStrings(span: RecordedSpan): { text: string; where: string }[] {
  const out: { text: string; where: string }[] = [];
  const seen = new Set<object>();
  const visit = (text: string, where: string) => out.push({ text, where });
  const raw = span.raw;
  visit(raw.name, 'name');
  walk(raw.attributes, visit, 'tag', seen);
  for (const event of raw.events) {
    visit(event.name, `log ${event.name}`);
    walk(event.attributes, visit, `log ${event.name}`, seen);
  }
  if (raw.status.message !== undefined) visit(raw.status.message, 'status');
  for (const link of raw.links) walk(link.attributes, visit, 'link', seen);
  return out;
}

/** Looks for every marker of `corpus` in every exported string of `spans`. */
export function scanForSecrets(spans: readonly RecordedSpan[], markers: readonly Marker[]): Leak[] {
  const leaks: Leak[] = [];
  for (const span of spans) {
    for (const { text, where } of exportedStrings(span)) {
      for (const marker of markers) {
        if (text.includes(marker.core.slice(0, 10)) || text.includes(marker.core.slice(-10)))
          leaks.push({ span: span.name, where, placement: marker.placement });
      }
    }
  }
  return leaks;
}
