import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { AlertSeverity } from '../../domain/services/services.ts';
import { pathOf } from './inbound.ts';

// Small, total helpers the inbound formats share: senders disagree on names and types, so every
// helper here accepts `unknown` and answers undefined rather than throwing.

export const MAX_SUMMARY = 1024;
const MAX_LABEL = 1024;
const MAX_LABELS = 200;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-blank string, trimmed; numbers become strings (ids are often sent as numbers). */
export function text(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** The first of the candidates that is a non-blank string. */
export function firstText(...values: unknown[]): string | undefined {
  for (const v of values) {
    const t = text(v);
    if (t !== undefined) return t;
  }
  return undefined;
}

export function clip(value: string | undefined, max = MAX_SUMMARY): string | undefined {
  return value === undefined || value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

const SEVERITY_WORDS: Record<string, AlertSeverity> = {
  page: 'critical',
  critical: 'critical',
  crit: 'critical',
  fatal: 'critical',
  emergency: 'critical',
  disaster: 'critical',
  p1: 'critical',
  error: 'error',
  err: 'error',
  high: 'error',
  major: 'error',
  p2: 'error',
  warning: 'warning',
  warn: 'warning',
  medium: 'warning',
  minor: 'warning',
  average: 'warning',
  p3: 'warning',
  info: 'info',
  information: 'info',
  informational: 'info',
  low: 'info',
  none: 'info',
  debug: 'info',
  ok: 'info',
  p4: 'info',
  p5: 'info',
};

/**
 * A provider's severity word as one of Tocsin's four (page/critical → critical, error/high → error,
 * warning/warn/medium → warning, info/low/none → info). An unknown word is `error`: paging for a
 * severity nobody mapped is safer than dropping it; a missing one stays undefined.
 */
export function severityFrom(value: unknown): AlertSeverity | undefined {
  const word = text(value)?.toLowerCase();
  if (word === undefined) return undefined;
  return SEVERITY_WORDS[word] ?? 'error';
}

const MIN_TIME = Date.UTC(1970, 0, 1);
const MAX_TIME = Date.UTC(9999, 11, 31);
const ISO_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A point in time from an ISO 8601 string or epoch seconds/milliseconds (number or digits). Times
 * outside 1970–9999 are no time at all: Alertmanager sends `0001-01-01T00:00:00Z` for "unset".
 */
export function timeFrom(value: unknown): Date | undefined {
  let ms: number | undefined;
  if (typeof value === 'number' && Number.isFinite(value)) ms = epochMs(value);
  else if (typeof value === 'string') {
    const s = value.trim();
    if (/^\d+(\.\d+)?$/.test(s)) ms = epochMs(Number(s));
    else if (ISO_TIME.test(s)) ms = Date.parse(s);
  }
  if (ms === undefined || !Number.isFinite(ms) || ms < MIN_TIME || ms > MAX_TIME) return undefined;
  return new Date(ms);
}

// Epoch seconds until 5138 CE are below 1e11; milliseconds since 1973 are above it.
function epochMs(n: number): number {
  return n < 1e11 ? n * 1000 : n;
}

/** Label maps keep string values only (numbers and booleans are written out), capped in size. */
export function labelsFrom(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  const entries: [string, string][] = [];
  for (const [k, v] of Object.entries(value)) {
    if (entries.length >= MAX_LABELS) break;
    const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;
    if (s !== null && k !== '') entries.push([k.slice(0, MAX_LABEL), s.slice(0, MAX_LABEL)]);
  }
  // fromEntries defines own properties: a "__proto__" label stays a label.
  return Object.fromEntries(entries);
}

/**
 * Tags as labels: "env:prod, role:db" or ["env:prod", "role:db"] (Datadog), or [["env","prod"]]
 * pairs (Sentry). A bare tag becomes a label with an empty value.
 */
export function labelsFromTags(value: unknown): Record<string, string> {
  const items: unknown[] = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : [];
  const entries: [string, string][] = [];
  for (const item of items) {
    if (entries.length >= MAX_LABELS) break;
    const pair = tagPair(item);
    if (pair) entries.push([pair[0].slice(0, MAX_LABEL), pair[1].slice(0, MAX_LABEL)]);
  }
  return Object.fromEntries(entries);
}

function tagPair(item: unknown): [string, string] | undefined {
  if (Array.isArray(item)) {
    const [k, v] = item;
    const key = text(k);
    return key === undefined ? undefined : [key, text(v) ?? ''];
  }
  const tag = text(item);
  if (tag === undefined) return undefined;
  const colon = tag.indexOf(':');
  if (colon <= 0) return [tag, ''];
  return [tag.slice(0, colon).trim(), tag.slice(colon + 1).trim()];
}

/** A link when the URL is a non-blank string (senders send "" for "no link"). */
export function linkOf(href: unknown, linkText: string): { href: string; text: string }[] {
  const url = text(href);
  return url === undefined ? [] : [{ href: url.slice(0, 2048), text: linkText }];
}

/**
 * Alertmanager's fingerprint of a label set (prometheus/common model.LabelSet.Fingerprint: FNV-1a
 * 64 over the names sorted bytewise, each name and value followed by 0xff), so an alert without a
 * `fingerprint` field gets the very key Alertmanager itself would have sent.
 */
export function labelsFingerprint(labels: Record<string, string>): string {
  const names = Object.keys(labels).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  let hash = 0xcbf29ce484222325n;
  const add = (bytes: Uint8Array) => {
    for (const byte of bytes) hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  };
  const separator = Uint8Array.of(0xff);
  for (const name of names) {
    add(Buffer.from(name));
    add(separator);
    add(Buffer.from(labels[name] ?? ''));
    add(separator);
  }
  return hash.toString(16).padStart(16, '0');
}

/** A stable key for content without an id of its own (32 hex characters). */
export function hashKey(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

/** Zod issues as "'alerts.0.status' must be …", the way the PagerDuty format words them. */
export function issueMessages(error: z.ZodError, prefix: PropertyKey[] = []): string[] {
  return error.issues.slice(0, 20).map((i) => `'${pathOf([...prefix, ...i.path])}' ${i.message}`);
}
