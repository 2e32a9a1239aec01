// Plan durations: "90s", "15m", "4h", "2d", "1w", and combinations such as "1h30m".
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const DURATION = /^(\d+[smhdw])+$/;
const PART = /(\d+)([smhdw])/g;

export function isDuration(text: string): boolean {
  return DURATION.test(text);
}

/** Milliseconds in a plan duration; throws on anything else. */
export function parseDuration(text: string): number {
  if (!DURATION.test(text)) {
    throw new Error(`"${text}" is not a duration (use 90s, 15m, 4h, 2d, 1w)`);
  }
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) {
    total += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  }
  return total;
}

/** The shortest plan-style spelling of a duration, e.g. 5400000 → "1h30m". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  let out = '';
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit];
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return sign + (out || `${rest}ms`);
}

// Business time: "4bh" (business hours), "2bd" (business days), "30bm", combinations such as "1bd4bh",
// or spelled "4 business hours", "2 business days". Counted only inside a plan's business hours
// (domain/workflows/business-hours.ts); one business day is the length of one business-hours window.
const BUSINESS = /^(\d+b[mhd])+$/;
const BUSINESS_PART = /(\d+)b([mhd])/g;
const SPELLED = /^(\d+) business (minute|hour|day)s?$/;

export interface BusinessDuration {
  /** Business minutes and hours, in ms of business time. */
  ms: number;
  /** Whole business days (each as long as the plan's business day). */
  days: number;
}

/** The business duration a text spells, or undefined when it is not one. */
export function parseBusinessDuration(text: string): BusinessDuration | undefined {
  const spelled = SPELLED.exec(text.trim().toLowerCase());
  if (spelled) {
    const n = Number(spelled[1]);
    const unit = spelled[2];
    return unit === 'day' ? { ms: 0, days: n } : { ms: n * (unit === 'hour' ? 3_600_000 : 60_000), days: 0 };
  }
  if (!BUSINESS.test(text)) return undefined;
  const out: BusinessDuration = { ms: 0, days: 0 };
  for (const [, amount, unit] of text.matchAll(BUSINESS_PART)) {
    if (unit === 'd') out.days += Number(amount);
    else out.ms += Number(amount) * (unit === 'h' ? 3_600_000 : 60_000);
  }
  return out;
}

export function isBusinessDuration(text: string): boolean {
  return parseBusinessDuration(text) !== undefined;
}

/** A duration a plan may count in business time: wall-clock (`4h`) or business (`4bh`, `2bd`). */
export function isPlanDuration(text: string): boolean {
  return isDuration(text) || isBusinessDuration(text);
}
