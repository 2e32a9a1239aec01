import { z } from 'zod';
import type { Executor } from '../../db/schema.ts';
import {
  addressProblem,
  type ContactMethodRow,
  contactKindSchema,
  delaySeconds,
  formatDelay,
  labelSchema,
  normalizeAddress,
  quietHoursSchema,
  resolveContactRef,
  ruleDelaySchema,
} from './contacts.ts';
import * as contacts from './queries.ts';

// Contacts and rules declared in a User document (`tocsin apply`), for teams that keep them in git:
//   spec:
//     contacts:
//       - { kind: sms, address: "+251911234567", label: mobile, verified: true }
//       - { kind: email, address: dawit@example.com }
//     notificationRules:
//       - { contact: mobile, after: 0m }      # by label, or by kind when the user has one of that kind
//       - { contact: email, after: 5m }
//     quietHours: { start: "22:00", end: "07:00" }
// A list that is present is the whole truth (methods not listed are removed); a list left out is not
// managed by the file, so people can keep managing their own with the CLI.

export const declaredContactSchema = z
  .strictObject({
    kind: contactKindSchema,
    // YAML reads +251911234567 unquoted as a number: say so instead of "expected string".
    address: z
      .string({
        error: (issue) =>
          issue.input === undefined ? 'required' : 'a string (quote phone numbers: "+251911234567")',
      })
      .min(1)
      .max(320),
    label: labelSchema.optional(),
    /** Set by an admin for addresses known to work: no code is sent, the method pages at once. */
    verified: z.boolean().default(false),
    disabled: z.boolean().default(false),
  })
  .superRefine((c, issues) => {
    const problem = addressProblem(c.kind, c.address);
    if (problem) issues.addIssue({ code: 'custom', path: ['address'], message: problem });
  });
export type DeclaredContact = z.output<typeof declaredContactSchema>;

export const declaredRuleSchema = z.strictObject({
  contact: z.string().min(1).max(50),
  after: ruleDelaySchema,
});
export type DeclaredRule = z.output<typeof declaredRuleSchema>;

export const declaredContactsSpec = {
  contacts: z.array(declaredContactSchema).max(20).optional(),
  notificationRules: z.array(declaredRuleSchema).max(20).optional(),
  quietHours: quietHoursSchema.nullish(),
};

export interface Declared {
  contacts?: DeclaredContact[] | undefined;
  notificationRules?: DeclaredRule[] | undefined;
  quietHours?: { start: string; end: string } | null | undefined;
}

/** A method's identity across the file and the store. */
export function contactKey(c: { kind: string; address: string }): string {
  return `${c.kind} ${normalizeAddress(c.kind as DeclaredContact['kind'], c.address)}`;
}

/**
 * Problems a document has on its own, as paths under spec: the same contact or label twice, a rule
 * naming no contact of the document. Rules of a document without `contacts` are checked on apply,
 * against the stored methods.
 */
export function declaredProblems(d: Declared): { path: PropertyKey[]; message: string }[] {
  const problems: { path: PropertyKey[]; message: string }[] = [];
  const keys = new Set<string>();
  const labels = new Set<string>();
  (d.contacts ?? []).forEach((c, i) => {
    const key = contactKey(c);
    if (keys.has(key)) problems.push({ path: ['contacts', i, 'address'], message: `${key} is listed twice` });
    keys.add(key);
    if (c.label !== undefined) {
      if (labels.has(c.label)) {
        problems.push({ path: ['contacts', i, 'label'], message: `label "${c.label}" is used twice` });
      }
      labels.add(c.label);
    }
  });
  if (d.contacts && d.notificationRules) {
    const methods = d.contacts.map((c) => ({ kind: c.kind, label: c.label ?? null }));
    d.notificationRules.forEach((r, i) => {
      const found = resolveContactRef(methods, r.contact);
      if (found.error) problems.push({ path: ['notificationRules', i, 'contact'], message: found.error });
    });
  }
  return problems;
}

/** What a diff compares: contacts by identity, rules as "<kind> <address> after <delay>". */
export interface ContactsState {
  contacts?: Record<string, { label: string | null; verified: boolean; disabled: boolean }>;
  notificationRules?: string[];
  quietHours?: { start: string; end: string } | null;
}

function ruleText(m: { kind: string; address: string } | undefined, seconds: number, ref: string): string {
  return `${m ? contactKey(m) : `(unknown ${ref})`} after ${formatDelay(seconds)}`;
}

/**
 * The stored and the wanted state of what the document declares (only the parts it declares), for
 * the dry-run diff. A declared contact never un-verifies a method its owner verified.
 */
export async function declaredDiffStates(
  db: Executor,
  userId: string | undefined,
  d: Declared,
): Promise<{ stored: ContactsState; wanted: ContactsState }> {
  // Nothing declared: nothing to compare, and no reason to read (apply runs this per User document).
  if (d.contacts === undefined && d.notificationRules === undefined && d.quietHours === undefined) {
    return { stored: {}, wanted: {} };
  }
  const methods: ContactMethodRow[] = userId ? await contacts.listMethods(db, userId) : [];
  const rules = userId ? await contacts.listRules(db, userId) : [];
  const quiet = userId ? await contacts.findQuietHours(db, userId) : undefined;
  const stored: ContactsState = {};
  const wanted: ContactsState = {};
  const storedByKey = new Map(methods.map((m) => [contactKey(m), m]));
  if (d.contacts) {
    stored.contacts = Object.fromEntries(
      methods.map((m) => [
        contactKey(m),
        { label: m.label, verified: m.verified_at !== null, disabled: m.disabled },
      ]),
    );
    wanted.contacts = Object.fromEntries(
      d.contacts.map((c) => [
        contactKey(c),
        {
          label: c.label ?? null,
          verified: c.verified || Boolean(storedByKey.get(contactKey(c))?.verified_at),
          disabled: c.disabled,
        },
      ]),
    );
  }
  if (d.notificationRules) {
    const byId = new Map(methods.map((m) => [m.id, m]));
    stored.notificationRules = rules.map((r) =>
      ruleText(byId.get(r.contact_method_id), r.delay_seconds, r.contact_method_id),
    );
    const pool = d.contacts
      ? d.contacts.map((c) => ({ kind: c.kind, address: c.address, label: c.label ?? null }))
      : methods;
    wanted.notificationRules = d.notificationRules.map((r) =>
      ruleText(resolveContactRef(pool, r.contact).method, delaySeconds(r.after), r.contact),
    );
  }
  if (d.quietHours !== undefined) {
    stored.quietHours = quiet ? { start: quiet.starts, end: quiet.ends } : null;
    wanted.quietHours = d.quietHours;
  }
  return { stored, wanted };
}
