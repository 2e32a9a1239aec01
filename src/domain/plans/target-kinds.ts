import type { Plan } from './plan-schema.ts';

// The one table of who a workflow `page` or `addResponders` may name. The validator (plan.ts) accepts
// exactly these, the plan reference lists them (plan-docs.ts), and the engine resolves them the same
// way (paging/steps.ts targetsFor). target-kinds.test.ts proves every kind validates and runs.

export type PageTargetKind = 'policy' | 'group' | 'role' | 'user' | 'schedule' | 'team' | 'email' | 'chat';

export interface PageTargetKindSpec {
  kind: PageTargetKind;
  /** How it is written in a plan. */
  syntax: string;
  description: string;
}

export const PAGE_TARGET_KINDS: readonly PageTargetKindSpec[] = [
  {
    kind: 'policy',
    syntax: '<policy id>',
    description:
      'an escalation policy of this plan (escalationPolicies): its steps, in order, until someone acknowledges',
  },
  {
    kind: 'group',
    syntax: '<group id> or group:<id>',
    description:
      "a group of this plan: everyone it lists, its schedule's on-call person, its address and channel",
  },
  { kind: 'role', syntax: '<role id> or role:<id>', description: 'whoever holds the incident role' },
  { kind: 'user', syntax: 'user:<handle>', description: 'one person, by handle' },
  {
    kind: 'schedule',
    syntax: 'schedule:<name>',
    description: 'whoever is on call on the schedule at the time',
  },
  { kind: 'team', syntax: 'team:<name>', description: 'every member of the team' },
  { kind: 'email', syntax: 'name@example.com', description: 'an email address or mailing list' },
  { kind: 'chat', syntax: '#channel', description: 'a chat channel' },
];

export type ParsedTarget = { kind: PageTargetKind; name: string } | { error: string };

const PREFIXED = /^(user|schedule|team|group|role):(.*)$/;

/**
 * What a target names, under the plan (ids of its policies, groups and roles). A text with a
 * {placeholder} in its name part is accepted by kind alone: its value is known only at run time.
 */
export function parseTarget(
  who: string,
  plan: Pick<Plan, 'escalationPolicies' | 'groups' | 'roles'>,
): ParsedTarget {
  const m = PREFIXED.exec(who);
  if (m) {
    const kind = m[1] as PageTargetKind;
    const name = m[2] ?? '';
    if (name.trim() === '') return { error: `"${who}" names no ${kind}` };
    if (kind === 'group' && !plan.groups.some((g) => g.id === name) && !name.includes('{'))
      return { error: `undefined group "${name}"` };
    if (kind === 'role' && !plan.roles.some((r) => r.id === name) && !name.includes('{'))
      return { error: `undefined role "${name}"` };
    return { kind, name };
  }
  if (who.startsWith('#')) return { kind: 'chat', name: who };
  if (/^[^@\s{]+@[^@\s]+$/.test(who)) return { kind: 'email', name: who };
  if (plan.escalationPolicies.some((p) => p.id === who)) return { kind: 'policy', name: who };
  if (plan.groups.some((g) => g.id === who)) return { kind: 'group', name: who };
  if (plan.roles.some((r) => r.id === who)) return { kind: 'role', name: who };
  if (who.includes('{')) return { kind: 'group', name: who };
  return {
    error:
      `"${who}" is not an escalation policy, group or role of this plan; a page target is ` +
      PAGE_TARGET_KINDS.map((k) => k.syntax).join(', '),
  };
}

export function isPolicyTarget(who: string, plan: Pick<Plan, 'escalationPolicies' | 'groups' | 'roles'>) {
  const t = parseTarget(who, plan);
  return !('error' in t) && t.kind === 'policy';
}
