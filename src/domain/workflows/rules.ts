import type { CheckRoleSpec, FillRoleSpec } from './role-actions.ts';
import type {
  EventTrigger,
  TargetName,
  TargetTrigger,
  TimerTrigger,
  WorkflowAction,
  WorkflowCondition,
  WorkflowTrigger,
} from './workflow-schema.ts';

// The one shape the engine evaluates: the plan's own workflows plus the rules its fixed fields compile
// to (compile-plan-rules.ts). Compiled rules may use two triggers and two actions a plan file cannot
// spell, because only the plan's fixed fields define them.

export type Audience = 'internal' | 'external';

/** Plan-only trigger: an update of the audience is due every `cadence` of the incident's severity. */
export interface OverdueTrigger {
  overdue: Audience;
  /** Fire once, this long past the due moment (cadence escalation), instead of at each interval. */
  by?: string;
  /**
   * Fire once this long before each due moment (an early reminder, cadence.remindAfter), following
   * the cadence in force (by age, by state, "next update at"); none when it would come before the
   * last update.
   */
  ahead?: string;
}

export type RuleTrigger = WorkflowTrigger | OverdueTrigger;

/** Plan-only actions: record a target breach / an overdue update (table row + timeline event). */
export type RuleAction =
  | WorkflowAction
  | { recordBreach: { target: TargetName } }
  | { recordOverdue: { audience: Audience } }
  | { escalate: EscalateSpec }
  | { fillRole: FillRoleSpec }
  | { checkRole: CheckRoleSpec };

/** A page the plan's fixed fields ask for (severities[].page, responders, escalation tiers). */
export interface EscalateSpec {
  who: string[];
  channels?: string[] | undefined;
  kind: 'paging' | 'duration';
  /** The severity's own page: the incident service's escalation policy, when it has one, wins. */
  servicePolicy?: boolean | undefined;
  /** Unique per incident: "severity", "responders", "tier:L2". */
  source: string;
}

export type RuleSource = 'plan' | 'workflow';

export interface Rule {
  name: string;
  source: RuleSource;
  description?: string | undefined;
  when: RuleTrigger;
  if?: WorkflowCondition | undefined;
  then: RuleAction[];
  /** Compiled post-mortem reminders only (not a plan field): they stop once the post-mortem is published. */
  untilPostmortemPublished?: boolean;
}

export function isEventTrigger(when: RuleTrigger): when is EventTrigger {
  return typeof when === 'string';
}

export function isElapsedTrigger(when: RuleTrigger): when is TimerTrigger {
  return typeof when === 'object' && 'elapsed' in when;
}

export function isTargetTrigger(when: RuleTrigger): when is TargetTrigger {
  return typeof when === 'object' && 'target' in when;
}

export function isOverdueTrigger(when: RuleTrigger): when is OverdueTrigger {
  return typeof when === 'object' && 'overdue' in when;
}

/** The action's kind: every action object has exactly one key. */
export function actionKind(action: RuleAction): string {
  return Object.keys(action)[0] ?? 'unknown';
}
