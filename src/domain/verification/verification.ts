import type { VerificationCheck, VerificationResult } from '../../db/schema.ts';
import { parseDuration } from '../../lib/duration.ts';
import type { Plan } from '../plans/plan.ts';

// Resolution verification (plan `verification`): while an incident is in verification.state, its
// metric checks are PromQL queries against Prometheus; every one must hold for monitorFor before the
// incident may resolve, and a breach returns it to the state it came from (or verification.onBreach).
// The other checks (and all of them when no Prometheus is configured) are a checklist ticked by hand.

export type { VerificationCheck, VerificationResult };

/** The checklist the checks ticked by hand go into. */
export const VERIFICATION_CHECKLIST = 'verification';
export const DEFAULT_EVERY = '1m';

type PlanCheck = NonNullable<Plan['verification']>['checks'][number];

/** A check Prometheus can judge: something to query and a threshold. */
function isAutomatic(check: PlanCheck): boolean {
  return (check.query ?? check.metric) !== undefined && (check.below ?? check.above) !== undefined;
}

/** The checks that run as queries, as stored with a verification (the query defaults to the metric name). */
export function automaticChecks(plan: Plan): VerificationCheck[] {
  return (plan.verification?.checks ?? []).filter(isAutomatic).map((c) => ({
    title: c.title,
    query: (c.query ?? c.metric) as string,
    ...(c.below !== undefined ? { below: c.below } : {}),
    ...(c.above !== undefined ? { above: c.above } : {}),
    ...(c.unit !== undefined ? { unit: c.unit } : {}),
  }));
}

/** The titles ticked by hand: every check without Prometheus, else those it cannot judge. */
export function manualCheckTitles(plan: Plan, prometheus: boolean): string[] {
  return (plan.verification?.checks ?? []).filter((c) => !prometheus || !isAutomatic(c)).map((c) => c.title);
}

export function windowMs(plan: Plan): number {
  const window = plan.verification?.monitorFor;
  return window ? parseDuration(window) : 0;
}

export function intervalMs(plan: Plan): number {
  return parseDuration(plan.verification?.every ?? DEFAULT_EVERY);
}

/** Whether a value meets the check's thresholds (below and above are strict, as the plans say). */
export function holds(check: VerificationCheck, value: number): boolean {
  if (Number.isNaN(value)) return false;
  if (check.below !== undefined && !(value < check.below)) return false;
  if (check.above !== undefined && !(value > check.above)) return false;
  return true;
}

/** Judges the values one query returned (every series must hold); none is not a verdict. */
export function judgeValues(check: VerificationCheck, values: number[]): VerificationResult {
  const base = { title: check.title, query: check.query };
  if (values.length === 0) return { ...base, value: null, ok: null, error: 'the query returned no data' };
  // The worst series is the one shown: the first that breaks the threshold, else the first.
  const broken = values.find((v) => !holds(check, v));
  return broken === undefined
    ? { ...base, value: values[0] as number, ok: true }
    : { ...base, value: broken, ok: false };
}

export type Verdict =
  | { kind: 'breached'; breached: VerificationResult[] }
  | { kind: 'passed' }
  | { kind: 'holding' }
  | { kind: 'unknown'; errors: VerificationResult[] };

/**
 * A run's verdict: any check out of bounds breaches; all held after the window has passed is a pass;
 * a check that could not be judged (Prometheus down, no data) neither breaches nor lets it pass.
 */
export function verdictOf(
  results: VerificationResult[],
  run: { ranAt: Date; startedAt: Date; windowMs: number },
): Verdict {
  const breached = results.filter((r) => r.ok === false);
  if (breached.length > 0) return { kind: 'breached', breached };
  const errors = results.filter((r) => r.ok === null);
  if (errors.length > 0) return { kind: 'unknown', errors };
  return run.ranAt.getTime() - run.startedAt.getTime() >= run.windowMs
    ? { kind: 'passed' }
    : { kind: 'holding' };
}

/** "Error rate back to baseline = 0.05 (below 0.1 %)" */
export function describeResult(r: VerificationResult, check?: VerificationCheck): string {
  const bounds = [
    check?.below !== undefined ? `below ${check.below}` : '',
    check?.above !== undefined ? `above ${check.above}` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  const unit = check?.unit ? ` ${check.unit}` : '';
  if (r.ok === null) return `${r.title}: ${r.error ?? 'not judged'}`;
  return `${r.title} = ${r.value}${unit}${bounds ? ` (must be ${bounds}${unit})` : ''}`;
}
