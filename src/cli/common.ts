import type { Command } from 'commander';

// What every command that talks to a server shares: --url and --json, repeatable options, k=v pairs.
export interface CommonOpts {
  url?: string;
  json?: boolean;
}

export type Json = Record<string, unknown>;

export const withCommon = (c: Command): Command =>
  c.option('--url <url>', 'Tocsin server (default TOCSIN_URL)').option('--json', 'print JSON');

/** For repeatable options: commander calls it once per occurrence. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `k=v` pairs from repeated options into a map; a pair without "=" is an error. */
export function pairs(values: string[] | undefined, option: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const at = v.indexOf('=');
    if (at <= 0) throw new Error(`${option} takes key=value, got "${v}"`);
    out[v.slice(0, at)] = v.slice(at + 1);
  }
  return out;
}

export const enc = encodeURIComponent;
