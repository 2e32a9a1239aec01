import { parseDuration } from '../../lib/duration.ts';
import { type SeverityRoute, severityRoute } from '../paging/paging-gaps.ts';
import type { Plan } from './plan-schema.ts';

// The readiness report of a plan file (`tocsin plan check`): what the plan alone says about being
// ready for its first incident. Whom each severity pages (the same classification as the "page
// nobody" warnings), whether the plan's own review is due, and exercises (none are recorded yet).

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
  /** Days since the last exercise: Tocsin records no exercises yet, so always null ("no exercise recorded"). */
  days_since_last_exercise: null;
}

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

/** The report as lines for people. */
export function readinessLines(r: PlanReadiness): string[] {
  const review = !r.review
    ? 'review: no review cycle stated (review.every)'
    : !r.review.last_reviewed
      ? `review: due now (every ${r.review.every}, never reviewed: set review.lastReviewed)`
      : `review: ${r.review.due ? 'due since' : 'next due'} ${r.review.due_at?.slice(0, 10)} (every ${r.review.every}, last ${r.review.last_reviewed})`;
  return [
    ...r.severities.map((s) => `severity ${s.id}: ${ROUTE_TEXT[s.route]}`),
    review,
    'exercises: no exercise recorded',
  ];
}
