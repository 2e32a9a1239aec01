import type { Operation } from '../context.ts';
import { loadPlanVersion } from '../plans/get-plan.ts';
import { businessDurations, commanderRoleOf, type Plan } from '../plans/plan.ts';
import { effectiveRules } from './compile-plan-rules.ts';
import type { Rule } from './rules.ts';

export interface PlanRules {
  name: string;
  version: number;
  current_version: number;
  rules: Rule[];
  /** Rules the incident operations enforce themselves (who may do what), as the plan sets them. */
  guards: Guard[];
}

export interface Guard {
  field: string;
  description: string;
}

/** What the operations check for this plan: who may enter each state, who commands. */
export function planGuards(plan: Plan): Guard[] {
  const guards: Guard[] = plan.lifecycle.states.flatMap((s, i) =>
    s.by.length > 0
      ? [
          {
            field: `lifecycle.states[${i}].by`,
            description: `only ${s.by.join(' or ')} may move an incident to ${s.id} (others get 403)`,
          },
        ]
      : [],
  );
  plan.approvals.actions.forEach((g, i) => {
    guards.push({
      field: `approvals.actions[${i}]`,
      description:
        `${g.action === 'enterState' ? `entering ${g.state}` : g.action} needs ${g.quorum} of ${g.by.join(' or ')} ` +
        'to approve: asking opens a request (409 naming what is missing), the requester cannot approve it, ' +
        'one rejection closes it, on quorum it is carried out as asked',
    });
  });
  if (plan.unknownSeverity === 'highest') {
    guards.push({
      field: 'unknownSeverity',
      description: `an incident declared without a severity counts as ${plan.severities[0]?.id} until triage sets one`,
    });
  }
  const business = businessDurations(plan);
  if (business.length > 0) {
    const b = plan.businessHours;
    const holidays = b.holidays.length > 0 ? `, except ${b.holidays.join(', ')}` : '';
    guards.push({
      field: 'businessHours',
      description:
        `business time (${business.map((d) => d.value).join(', ')}) counts only ${b.days.join(', ')} ` +
        `${b.start}–${b.end} ${b.timeZone}${holidays}; one business day is one such window`,
    });
  }
  guards.push(...typeGuards(plan));
  if (plan.confidential || plan.types.some((t) => t.confidential)) {
    const c = plan.confidential;
    const secret = plan.types.filter((t) => t.confidential).map((t) => t.id);
    guards.push({
      field: 'confidential',
      description:
        `confidential incidents (${[secret.length > 0 ? `types ${secret.join(', ')}` : '', c?.when ? 'those matching confidential.when' : '', 'those declared confidential'].filter(Boolean).join(', ')}) ` +
        `are seen only by admins, their own responders${c?.visibleTo.length ? ` and ${c.visibleTo.join(', ')}` : ''} (others get 404); ` +
        `code name ${c?.codeName ?? 'op-{id}'}; external updates ${c?.external === 'approved' ? 'only with approvals.external' : 'refused (409)'}`,
    });
  }
  const commander = commanderRoleOf(plan);
  if (plan.tasks) {
    const overdueTo = plan.tasks.escalateTo.length > 0 ? plan.tasks.escalateTo : commander ? [commander] : [];
    guards.push({
      field: 'tasks',
      description:
        `a task or action item with a due time: its owner is reminded ${plan.tasks.remindBefore} before it is due; ` +
        (overdueTo.length > 0
          ? `once overdue, ${overdueTo.join(', ')} is paged (notified after resolution)`
          : 'nobody is paged when it is overdue'),
    });
  }
  if (commander) {
    guards.push({
      field: 'commanderRole',
      description: `${commander} commands: plan reminders go to its holder, {incident_commander} names them`,
    });
  }
  return guards;
}

/** types[]: what declaring with a type (or changing to it) changes beside its rules' pages and checklists. */
function typeGuards(plan: Plan): Guard[] {
  return plan.types.flatMap((t, i) => {
    const out: Guard[] = [];
    const targets = Object.entries(t.targets ?? {}).filter(([, d]) => d !== undefined);
    if (targets.length > 0)
      out.push({
        field: `types[${i}].targets`,
        description: `${t.id} incidents are held to ${targets.map(([k, d]) => `${k} ${d}`).join(', ')}, replacing their severity's`,
      });
    if (t.channel)
      out.push({
        field: `types[${i}].channel`,
        description: `${t.id} incidents declared with the type get the chat channel "${t.channel}"`,
      });
    return out;
  });
}

/** Every rule the engine runs for a plan version: its workflows and what its fixed fields compile to. */
export async function getPlanRules({
  ctx,
  input,
}: Operation<{ name: string; version?: number | undefined }>): Promise<PlanRules> {
  ctx.require('read');
  const view = await loadPlanVersion(ctx.db, input.name, input.version);
  return {
    name: view.name,
    version: view.version,
    current_version: view.current_version,
    rules: effectiveRules(view.plan),
    guards: planGuards(view.plan),
  };
}
