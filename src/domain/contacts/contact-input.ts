import { z } from 'zod';
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
