import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Row } from '../../db/schema.ts';
import { Invalid } from '../../errors.ts';
import { formatDuration, parseDuration } from '../../lib/duration.ts';
import { labelSchema } from './contact-input.ts';

export {
  MAX_RULE_DELAY,
  type NotificationRulesInput,
  notificationRulesInputSchema,
  type QuietHours,
  quietHoursSchema,
  type RuleInput,
  ruleDelaySchema,
  ruleInputSchema,
} from './contact-input.ts';

// Contact methods (how a person is reached: an email address, a phone for SMS or calls, an ntfy push
// topic, a Slack member) and notification rules (which method, how long after a page starts). A method
// pages nobody until its owner proved it reaches them by typing back a code sent to it.

/** Codes: 6 digits, valid 15 minutes, 5 wrong tries, a new one at most once a minute per method. */
export const CODE_TTL_MS = 15 * 60_000;
export const MAX_CODE_ATTEMPTS = 5;
export const RESEND_INTERVAL_MS = 60_000;
/** Contact methods one user may have: more is abuse (each one gets codes sent), not a need. */
export const MAX_CONTACT_METHODS = 20;
/**
 * Verification codes sent per hour: per user, per destination (whoever asks) and per server. SMS and
 * calls cost money and reach strangers: these stop toll fraud and harassment through Tocsin.
 */
export const VERIFICATION_SEND_LIMITS = { perUser: 10, perDestination: 5, perServer: 300 } as const;
export const VERIFICATION_WINDOW_MS = 3_600_000;
/** The longest delay a rule may have: later than a day, a page is not a page any more. */

export {
  addressProblem,
  CONTACT_KINDS,
  type ContactMethodInput,
  contactKindSchema,
  contactMethodInputSchema,
  labelSchema,
  normalizeAddress,
} from './contact-input.ts';

export const contactMethodPatchSchema = z.strictObject({
  label: labelSchema.nullish(),
  disabled: z.boolean().optional(),
});
export type ContactMethodPatch = z.infer<typeof contactMethodPatchSchema>;

export const verifyInputSchema = z.strictObject({
  code: z.string().regex(/^[0-9]{6}$/, 'six digits'),
});

export function delaySeconds(delay: string): number {
  return delay === '0' ? 0 : Math.floor(parseDuration(delay) / 1000);
}

/** "0m" reads better than "0s" for "immediately", and is what people write. */
export function formatDelay(seconds: number): string {
  return seconds === 0 ? '0m' : formatDuration(seconds * 1000);
}

export type ContactMethodRow = Row<'contact_methods'>;

/** What the API shows of a method: never the code's hash, only whether a code is outstanding. */
export function publicContactMethod(m: ContactMethodRow) {
  return {
    id: m.id,
    kind: m.kind,
    address: m.address,
    label: m.label,
    verified: m.verified_at !== null,
    verified_at: m.verified_at,
    disabled: m.disabled,
    code_expires_at: m.verified_at === null ? m.code_expires_at : null,
    created_at: m.created_at,
    updated_at: m.updated_at,
  };
}
export type PublicContactMethod = ReturnType<typeof publicContactMethod>;

/**
 * Finds the method a rule means: a label first, then a kind the user has exactly one method of.
 * Returns the method or why none fits.
 */
export function resolveContactRef<M extends { kind: string; label: string | null }>(
  methods: readonly M[],
  ref: string,
): { method: M; error?: undefined } | { method?: undefined; error: string } {
  const byLabel = methods.find((m) => m.label === ref);
  if (byLabel) return { method: byLabel };
  const ofKind = methods.filter((m) => m.kind === ref);
  if (ofKind.length === 1) return { method: ofKind[0] as M };
  if (ofKind.length > 1) {
    return { error: `"${ref}" names ${ofKind.length} ${ref} contacts: name one by its label` };
  }
  const known = methods.map((m) => m.label ?? m.kind);
  return {
    error: `no contact "${ref}" (a label, or a kind with one contact${known.length ? `: ${[...new Set(known)].join(', ')}` : ''})`,
  };
}

// Codes are short, so what protects them is the attempt limit and expiry; the salt only keeps equal
// codes from having equal hashes. The hash is never shown.
export function newCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

export function hashCode(code: string, salt = randomBytes(16).toString('hex')): string {
  return `${salt}$${createHash('sha256').update(`${salt}:${code}`).digest('hex')}`;
}

export function codeMatches(stored: string, code: string): boolean {
  const salt = stored.split('$')[0] ?? '';
  const a = Buffer.from(hashCode(code, salt));
  const b = Buffer.from(stored);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** What the code is for and how to use it, in one SMS segment (GSM-7, under 160 characters). */
export function verificationText(code: string, methodId: string): string {
  return (
    `Tocsin code ${code}: confirms you get on-call pages here. ` +
    `Enter it: npx tocsin contact verify ${methodId} ${code} (15 min). Not you? Ignore this.`
  );
}

/** One outbox message per (method, code): a retried request never sends a second copy of a code. */
export function verificationDedupKey(methodId: string, generation: number): string {
  return `contact-verify:${methodId}:${generation}`;
}

export interface ResolvedRule {
  contactMethodId: string;
  delaySeconds: number;
}

/**
 * Rules as written (by method id, label or kind) turned into method ids and delays; every rule that
 * names no method of the user, or repeats another rule, is reported at `<path>.<index>.<field>`.
 */
export function resolveRules<M extends { id: string; kind: string; label: string | null }>(
  methods: readonly M[],
  rules: readonly { contact_method_id?: string | undefined; contact?: string | undefined; after: string }[],
  path: string,
): ResolvedRule[] {
  const details: { path: string; message: string }[] = [];
  const seen = new Set<string>();
  const resolved = rules.flatMap((rule, i) => {
    const at = `${path}.${i}`;
    let method: M | undefined;
    if (rule.contact_method_id !== undefined) {
      method = methods.find((m) => m.id === rule.contact_method_id);
      if (!method)
        details.push({ path: `${at}.contact_method_id`, message: 'not a contact method of this user' });
    } else {
      const found = resolveContactRef(methods, rule.contact ?? '');
      if (found.error) details.push({ path: `${at}.contact`, message: found.error });
      method = found.method;
    }
    if (!method) return [];
    const r = { contactMethodId: method.id, delaySeconds: delaySeconds(rule.after) };
    const key = `${r.contactMethodId}@${r.delaySeconds}`;
    if (seen.has(key)) {
      details.push({ path: `${at}.after`, message: 'the same contact at the same delay is already a rule' });
      return [];
    }
    seen.add(key);
    return [r];
  });
  if (details.length > 0) throw new Invalid('notification rules name unknown contacts', details);
  return resolved;
}
