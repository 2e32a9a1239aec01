import { z } from 'zod';
import { isDuration, parseDuration } from '../../lib/duration.ts';
import type { ContactKind } from '../../notify/message.ts';

// A new contact method's input: a leaf module of zod only, so the web console checks the form with
// the same schema (and the same address rules) before sending.

export const CONTACT_KINDS = [
  'email',
  'sms',
  'voice',
  'push',
  'slack',
] as const satisfies readonly ContactKind[];

// Every ContactKind is listed above (a kind added to message.ts fails to compile here until it is).
type Missing = Exclude<ContactKind, (typeof CONTACT_KINDS)[number]>;
const _allKinds: Missing extends never ? true : never = true;
void _allKinds;

const E164 = /^\+[1-9][0-9]{6,14}$/;
const ADDRESS_RULES: Record<ContactKind, { test: (a: string) => boolean; expect: string }> = {
  email: {
    test: (a) => z.email().safeParse(a).success,
    expect: 'an email address like dawit@example.com',
  },
  sms: { test: (a) => E164.test(a), expect: 'an E.164 phone number like +251911234567' },
  voice: { test: (a) => E164.test(a), expect: 'an E.164 phone number like +251911234567' },
  push: {
    test: (a) => /^[A-Za-z0-9_-]{1,64}$/.test(a),
    expect: 'an ntfy topic: 1–64 letters, digits, "_" or "-"',
  },
  slack: { test: (a) => /^U[A-Z0-9]{6,}$/.test(a), expect: 'a Slack member id like U024BE7LH' },
};

/** The address as stored and compared: emails in lower case, everything else as typed (trimmed). */
export function normalizeAddress(kind: ContactKind, address: string): string {
  const a = address.trim();
  return kind === 'email' ? a.toLowerCase() : a;
}

/** Why an address is not valid for its kind, or undefined when it is. */
export function addressProblem(kind: ContactKind, address: string): string | undefined {
  const rule = ADDRESS_RULES[kind] as (typeof ADDRESS_RULES)[ContactKind] | undefined;
  // An unknown kind is the kind's own error, not the address's.
  if (!rule) return undefined;
  return rule.test(normalizeAddress(kind, address)) ? undefined : `not ${rule.expect}`;
}

export const labelSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,49}$/,
    'letters, digits, space, ".", "_" or "-", up to 50 characters, starting with a letter or digit',
  );

export const contactKindSchema = z.enum(CONTACT_KINDS);

/** A new method: the address is checked against its kind, errors at `address`. */
export const contactMethodInputSchema = z
  .strictObject({
    kind: contactKindSchema,
    address: z.string().min(1).max(320),
    label: labelSchema.nullish(),
  })
  .superRefine((m, issues) => {
    const problem = addressProblem(m.kind, m.address);
    if (problem) issues.addIssue({ code: 'custom', path: ['address'], message: problem });
  });
export type ContactMethodInput = z.input<typeof contactMethodInputSchema>;

// Notification rules and quiet hours (PUT /users/:handle/notification-rules), here so the console's
// form checks them with the same schema before sending.
export const MAX_RULE_DELAY = '1d';

const NOT_A_DURATION = 'not a duration (use 0m, 90s, 5m, 1h)';
export const ruleDelaySchema = z
  .string({ error: (issue) => (issue.input === undefined ? 'required' : NOT_A_DURATION) })
  .refine((d) => d === '0' || isDuration(d), NOT_A_DURATION)
  .refine(
    (d) => !isDuration(d) || parseDuration(d) <= parseDuration(MAX_RULE_DELAY),
    `at most ${MAX_RULE_DELAY}`,
  );

const TIME_OF_DAY = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
export const quietHoursSchema = z
  .strictObject({
    start: z.string().regex(TIME_OF_DAY, 'a time of day like 22:00'),
    end: z.string().regex(TIME_OF_DAY, 'a time of day like 07:00'),
  })
  .refine((q) => q.start !== q.end, { path: ['end'], message: 'must differ from start' });
export type QuietHours = z.infer<typeof quietHoursSchema>;

/**
 * One rule as the API and config files write it: the method by id, or by a reference (its label, or
 * its kind when the user has one method of that kind).
 */
export const ruleInputSchema = z
  .strictObject({
    contact_method_id: z
      .string()
      .regex(/^[0-9]+$/, 'a contact method id')
      .optional(),
    contact: z.string().min(1).max(50).optional(),
    after: ruleDelaySchema,
  })
  .refine((r) => (r.contact_method_id === undefined) !== (r.contact === undefined), {
    path: ['contact'],
    message: 'give contact (a label or kind) or contact_method_id, not both',
  });
export type RuleInput = z.infer<typeof ruleInputSchema>;

export const notificationRulesInputSchema = z.strictObject({
  rules: z.array(ruleInputSchema).max(20),
  quiet_hours: quietHoursSchema.nullish(),
});
export type NotificationRulesInput = z.input<typeof notificationRulesInputSchema>;
