import { parseDuration } from '../../lib/duration.ts';
import { type SeverityRoute, severityRoute } from '../paging/paging-gaps.ts';
import type { Plan } from './plan-schema.ts';

// The readiness report of a plan file (`tocsin plan check`): what the plan alone says about being
// ready for its first incident. Whom each severity pages (the same classification as the "page
// nobody" warnings), whether the plan's own review is due. A server adds (get-readiness.ts) its
// services' owners and runbooks, schedule gaps ahead, and the days since the last exercise.

export interface SeverityReadiness {
  id: string;
  route: SeverityRoute;
}

export interface ReviewReadiness {
  every: string;
  last_reviewed: string | null;
  /** lastReviewed + every; null when the plan records no review (then it is due now). */
  due_at: string | null;
  due: boolean;
}

export interface PlanReadiness {
  severities: SeverityReadiness[];
  /** null when the plan states no review cycle (review.every). */
  review: ReviewReadiness | null;
  /** Days since the plan's last exercise; null: none recorded (a plan file alone knows of none). */
  days_since_last_exercise: number | null;
}

export interface ServiceReadiness {
  name: string;
  team: string | null;
  escalation_policy: string | null;
  /** The plan's runbooks whose attach.services names this service. */
  runbooks: string[];
  /** Has an owner (a team or an escalation policy) and a runbook. */
  ready: boolean;
}

export interface ScheduleGaps {
  schedule: string;
  time_zone: string;
  /** Stretches of the window when nobody is on call. */
  gaps: { start: string; end: string }[];
}

/** What the server adds to a plan's readiness: its services, schedules and exercises. */
export interface ServerReadiness extends PlanReadiness {
  plan: string;
  version: number;
  services: ServiceReadiness[];
  /** The window schedule gaps are looked for in: now and the next GAP_WINDOW_DAYS days. */
  window: { from: string; to: string };
  schedules: ScheduleGaps[];
  last_exercise_at: string | null;
}

export const GAP_WINDOW_DAYS = 14;

const MONTHS = { monthly: 1, quarterly: 3, yearly: 12 } as const;

/** The day a review cycle comes round again after `from` (a UTC date; calendar months for named cycles). */
function nextReview(from: Date, every: string): Date {
  if (every === 'weekly') return new Date(from.getTime() + 7 * 86_400_000);
  if (every in MONTHS) {
    // The same day of the month, or the month's last day when it has no such day (Jan 31 → Feb 28).
    const month = from.getUTCMonth() + MONTHS[every as keyof typeof MONTHS];
    const lastDay = new Date(Date.UTC(from.getUTCFullYear(), month + 1, 0)).getUTCDate();
    return new Date(Date.UTC(from.getUTCFullYear(), month, Math.min(from.getUTCDate(), lastDay)));
  }
  return new Date(from.getTime() + parseDuration(every));
}

/** review.lastReviewed, "YYYY-MM-DD" or a month "YYYY-MM" (its first day), as a UTC date. */
const reviewDate = (text: string) => new Date(`${text.length === 7 ? `${text}-01` : text}T00:00:00Z`);

function reviewReadiness(plan: Plan, now: Date): ReviewReadiness | null {
  const every = plan.review?.every;
  if (!every) return null;
  const last = plan.review?.lastReviewed ?? null;
  if (!last) return { every, last_reviewed: null, due_at: null, due: true };
  const dueAt = nextReview(reviewDate(last), every);
  return { every, last_reviewed: last, due_at: dueAt.toISOString(), due: now.getTime() >= dueAt.getTime() };
}

export function planReadiness(plan: Plan, now: Date): PlanReadiness {
  return {
    severities: plan.severities.map((s) => ({ id: s.id, route: severityRoute(s) })),
    review: reviewReadiness(plan, now),
    days_since_last_exercise: null,
  };
}

const ROUTE_TEXT: Record<SeverityRoute, string> = {
  named: 'pages whom the plan names',
  service_policy: "pages only the service's escalation policy",
  nobody: 'pages nobody',
};

/** Whole days from `then` to `now` (0 within the first day). */
export function daysBetween(then: Date, now: Date): number {
  return Math.floor((now.getTime() - then.getTime()) / 86_400_000);
}

const at = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')}Z`;

/** The server's part of the report as lines: services, schedule gaps. */
function serverLines(r: ServerReadiness): string[] {
  const services =
    r.services.length === 0
      ? ['services: none uses this plan']
      : r.services.map((s) => {
          const owner = s.team
            ? `team ${s.team}`
            : s.escalation_policy
              ? `policy ${s.escalation_policy}`
              : 'NO OWNER';
          const runbooks = s.runbooks.length > 0 ? `runbooks ${s.runbooks.join(', ')}` : 'NO RUNBOOK';
          return `service ${s.name}: ${s.ready ? 'ready' : 'not ready'} (${owner}; ${runbooks})`;
        });
  const schedules = r.schedules.map((s) =>
    s.gaps.length === 0
      ? `schedule ${s.schedule}: covered for the next ${GAP_WINDOW_DAYS} days`
      : `schedule ${s.schedule}: nobody on call ${s.gaps
          .slice(0, 5)
          .map((g) => `${at(g.start)} – ${at(g.end)}`)
          .join(', ')}${s.gaps.length > 5 ? ` and ${s.gaps.length - 5} more` : ''}`,
  );
  return [...services, ...schedules];
}

/** The report as lines for people (with the server's part when it has one). */
export function readinessLines(r: PlanReadiness | ServerReadiness): string[] {
  const review = !r.review
    ? 'review: no review cycle stated (review.every)'
    : !r.review.last_reviewed
      ? `review: due now (every ${r.review.every}, never reviewed: set review.lastReviewed)`
      : `review: ${r.review.due ? 'due since' : 'next due'} ${r.review.due_at?.slice(0, 10)} (every ${r.review.every}, last ${r.review.last_reviewed})`;
  return [
    ...r.severities.map((s) => `severity ${s.id}: ${ROUTE_TEXT[s.route]}`),
    review,
    ...('services' in r ? serverLines(r) : []),
    r.days_since_last_exercise === null
      ? 'exercises: no exercise recorded'
      : `exercises: last one ${r.days_since_last_exercise} days ago`,
  ];
}
