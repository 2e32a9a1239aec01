import type { Row } from '../../db/schema.ts';
import { missingLanguages } from '../incidents/incident.ts';
import type { Plan } from '../plans/plan.ts';

// Pure rules of update approvals: which plan roles or groups must approve, what is still missing,
// and what stands between an update and publication. No I/O (approvals.test.ts).

export type Update = Row<'incident_updates'>;
export type Review = Row<'incident_update_reviews'>;

export interface ApprovalState {
  required: string[];
  approved: { requirement: string; by: string; at: Date; comment: string }[];
  missing: string[];
  changes_requested: { by: string; at: Date; comment: string }[];
}

/** The approval state of an update's current revision. */
export function approvalState(
  required: string[],
  update: Pick<Update, 'revision'>,
  reviews: Review[],
): ApprovalState {
  const current = reviews.filter((r) => r.revision === update.revision);
  const approved = current
    .filter((r) => r.verdict === 'approved' && r.requirement !== null)
    .map((r) => ({ requirement: r.requirement as string, by: r.actor_name, at: r.at, comment: r.comment }));
  const done = new Set(approved.map((a) => a.requirement));
  return {
    required,
    approved,
    missing: required.filter((r) => !done.has(r)),
    changes_requested: current
      .filter((r) => r.verdict === 'changes_requested')
      .map((r) => ({ by: r.actor_name, at: r.at, comment: r.comment })),
  };
}

export interface Blockers {
  approvals: string[];
  languages: string[];
}

/**
 * What keeps an update from being published: missing approvals, and (for an external update) a
 * language of the plan without text. Internal updates may be in any subset of the plan's languages.
 */
export function publishBlockers(
  plan: Pick<Plan, 'languages'>,
  update: Pick<Update, 'audience' | 'bodies'>,
  state: ApprovalState,
): Blockers {
  return {
    approvals: state.missing,
    languages: update.audience === 'external' ? missingLanguages(plan.languages, update.bodies) : [],
  };
}

export function isBlocked(b: Blockers): boolean {
  return b.approvals.length > 0 || b.languages.length > 0;
}

/** The 409's message and details for what is missing, one detail per missing thing. */
export function describeBlockers(b: Blockers): {
  message: string;
  details: { path: string; message: string }[];
} {
  const parts = [
    ...(b.approvals.length > 0 ? [`approval by ${b.approvals.join(' and ')}`] : []),
    ...(b.languages.length > 0 ? [`text in ${b.languages.join(', ')}`] : []),
  ];
  return {
    message: `the update cannot be published yet: missing ${parts.join('; ')}`,
    details: [
      ...b.approvals.map((r) => ({ path: `approvals.${r}`, message: 'missing approval' })),
      ...b.languages.map((l) => ({ path: `bodies.${l}`, message: 'missing' })),
    ],
  };
}
