import type { EscalationStep } from '../../db/schema.ts';
import { parseDuration } from '../../lib/duration.ts';
import type { Plan } from '../plans/plan.ts';
import { parseTarget } from '../plans/target-kinds.ts';

// Escalation steps from the three places a page's "who" comes from: a plan's escalation policy
// (groups and roles of the plan), a stored EscalationPolicy (users, schedules, teams), or a single
// group/role/user named by a workflow action. All become the same EscalationStep list.

/** How long a step waits for an acknowledgement when its policy does not say. */
export const DEFAULT_ESCALATE_AFTER_SECONDS = 300;

/** The plan's page channels and the contact kinds each means for a person. */
const CONTACT_KINDS_OF: Record<string, string[]> = {
  phone: ['voice'],
  sms: ['sms'],
  push: ['push'],
  email: ['email'],
  chat: ['slack'],
};

/** Contact kinds for the plan's channels (phone → voice, chat → a Slack DM); [] means "any". */
export function contactKinds(channels: readonly string[]): string[] {
  return [
    ...new Set(channels.flatMap((c) => CONTACT_KINDS_OF[c] ?? (c === 'voice' || c === 'slack' ? [c] : []))),
  ];
}

export function planPolicySteps(
  plan: Plan,
  policyId: string,
): { steps: EscalationStep[]; repeat: number } | undefined {
  const policy = plan.escalationPolicies.find((p) => p.id === policyId);
  if (!policy) return undefined;
  return {
    repeat: policy.repeat,
    steps: policy.steps.map((s) => ({
      escalateAfterSeconds: s.escalateAfter
        ? parseDuration(s.escalateAfter) / 1000
        : DEFAULT_ESCALATE_AFTER_SECONDS,
      targets: s.notify.map((name) => ({ type: 'group' as const, name })),
      ...(s.shadows.length > 0 ? { shadows: s.shadows.map((who) => targetOf(who, plan)) } : {}),
    })),
  };
}

/** One step paging `who` (any page target kind but a policy; see plans/target-kinds.ts). */
export function singleStep(who: string): EscalationStep[] {
  return [{ escalateAfterSeconds: DEFAULT_ESCALATE_AFTER_SECONDS, targets: [targetOf(who)] }];
}

const NO_PLAN = { escalationPolicies: [], groups: [], roles: [] };

/**
 * The step target for one page target (plans/target-kinds.ts is the table of kinds). A bare id that
 * the plan does not define stays a group: it names nobody, and the timeline shows the empty page.
 */
export function targetOf(
  who: string,
  plan: Pick<Plan, 'escalationPolicies' | 'groups' | 'roles'> = NO_PLAN,
): EscalationStep['targets'][number] {
  const t = parseTarget(who, plan);
  if ('error' in t || t.kind === 'policy') {
    const bare = /^(group|role):(.+)$/.exec(who);
    return bare?.[2] ? { type: bare[1] as 'group' | 'role', name: bare[2] } : { type: 'group', name: who };
  }
  return { type: t.kind, name: t.name };
}
