import { Invalid } from '../../errors.ts';

// Guard rails on external text (status page, subscribers, email): before an external update is
// saved, its text is checked for what must not go public. Built-in patterns cover internal hostnames,
// IP addresses, email addresses, tokens and stack traces; a team adds its own (status page settings,
// guard_patterns). A hit refuses the text unless the author overrides with a reason, which is kept on
// the update, the timeline and the audit log. Pure: guard-rails.test.ts.

export interface GuardPattern {
  name: string;
  pattern: string;
}

export const BUILT_IN_PATTERNS: readonly GuardPattern[] = [
  {
    name: 'internal hostname',
    pattern:
      '\\b(?:localhost|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\\.(?:internal|local|lan|corp|intranet|svc|cluster\\.local|consul))\\b',
  },
  {
    name: 'IPv4 address',
    pattern: '\\b(?:(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)\\b',
  },
  // Needs "::" or a letter a-f, so times such as 10:30:00 are not taken for addresses.
  {
    name: 'IPv6 address',
    pattern: '(?<![\\w:])(?=[0-9a-f:]*(?:::|[a-f]))(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![\\w:])',
  },
  { name: 'email address', pattern: '\\b[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+\\b' },
  {
    name: 'token',
    pattern:
      '\\b(?:AKIA[0-9A-Z]{16}|(?:sk|pk|rk)_(?:live|test)_[0-9A-Za-z]{10,}|xox[abposr]-[0-9A-Za-z-]{10,}|gh[pousr]_[0-9A-Za-z]{20,}|tcs_[0-9A-Za-z_]{16,}|eyJ[\\w-]{10,}\\.[\\w-]{10,}\\.[\\w-]{10,})\\b|\\bBearer\\s+[\\w.~+/-]{16,}=*|\\b[0-9a-f]{32,}\\b',
  },
  {
    name: 'stack trace',
    pattern:
      '^\\s+at [\\w$.<>]+ \\(.*:\\d+(?::\\d+)?\\)|Traceback \\(most recent call last\\)|Exception in thread "|\\b\\w+(?:Error|Exception): .+\\n\\s+at |\\.(?:java|kt|go|py|rb|js|ts):\\d+\\)?$',
  },
];

export interface GuardHit {
  language: string;
  rule: string;
  match: string;
}

/** A team pattern that is not a valid regular expression: its problem, for a 400. */
export function patternProblem(pattern: string): string | null {
  try {
    new RegExp(pattern, 'imu');
    return null;
  } catch (error) {
    return `not a regular expression: ${(error as Error).message}`;
  }
}

/** Every match of every pattern in every language's text (each distinct match once). */
export function checkText(bodies: Record<string, string>, extra: readonly GuardPattern[] = []): GuardHit[] {
  const hits: GuardHit[] = [];
  for (const rule of [...BUILT_IN_PATTERNS, ...extra]) {
    if (patternProblem(rule.pattern)) continue;
    const re = new RegExp(rule.pattern, 'gimu');
    for (const [language, text] of Object.entries(bodies)) {
      const seen = new Set<string>();
      for (const m of text.matchAll(re)) {
        const match = m[0].trim();
        if (match === '' || seen.has(match)) continue;
        seen.add(match);
        hits.push({ language, rule: rule.name, match });
      }
    }
  }
  return hits;
}

/**
 * Refuses external text with hits unless an override reason is given; returns what to store on the
 * update (null when nothing matched).
 */
export function enforceGuardRails(
  bodies: Record<string, string>,
  extra: readonly GuardPattern[],
  override: { reason?: string | undefined; by: string; at: Date },
): { hits: GuardHit[]; reason: string; by: string; at: string } | null {
  const hits = checkText(bodies, extra);
  if (hits.length === 0) return null;
  const reason = override.reason?.trim() ?? '';
  if (reason === '') {
    throw new Invalid(
      'the text may reveal internal details: remove them, or publish anyway with guard_override_reason',
      hits.map((h) => ({ path: `bodies.${h.language}`, message: `${h.rule}: "${h.match}"` })),
    );
  }
  return { hits, reason, by: override.by, at: override.at.toISOString() };
}
