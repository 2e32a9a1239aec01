import type { Operation } from '../context.ts';
import { loadPlanVersion } from '../plans/get-plan.ts';
import { severityOf, targetDurations } from '../plans/plan.ts';
import { periodOf, type ReportInput, reportScope } from './period.ts';
import * as q from './queries.ts';
import type { ComplianceRow, Period } from './reports.ts';

export interface ComplianceReport {
  period: Period;
  rows: ComplianceRow[];
}

const rate = (met: number, breached: number) => (met + breached === 0 ? null : met / (met + breached));

/** The target durations of every (plan version, severity) in the period, for the SQL to judge. */
async function targetSpecs(ctx: Operation<unknown>['ctx'], scope: Period): Promise<q.TargetSpec[]> {
  const pairs = await q.severitiesOfPeriod(ctx.db, scope);
  const specs: q.TargetSpec[] = [];
  for (const p of pairs) {
    const { plan } = await loadPlanVersion(ctx.db, p.plan_name, p.plan_version);
    const severity = severityOf(plan, p.severity);
    if (!severity) continue;
    for (const [target, ms] of Object.entries(targetDurations(plan, severity))) {
      if (ms === undefined || !q.COMPLIANCE_TARGETS.includes(target)) continue;
      specs.push({ ...p, target, ms, from_changed: plan.targetsFrom === 'severity_changed' });
    }
  }
  return specs;
}

/**
 * How often each plan target was met over the period, per severity and for all severities together
 * (severity null). Each incident is judged by the plan version it was declared under. The status
 * page target is left out: whether it applies depends on the status page rule per incident.
 */
export async function getTargetCompliance({ ctx, input }: Operation<ReportInput>): Promise<ComplianceReport> {
  ctx.require('read');
  const scope = await reportScope(ctx, input);
  const specs = await targetSpecs(ctx, scope);
  const raw = await q.targetCompliance(ctx.db, scope, specs, ctx.clock.now());
  const bySeverity = raw.map((r) => {
    const met = Number(r.met);
    const breached = Number(r.breached);
    return {
      target: r.target,
      severity: r.severity,
      met,
      breached,
      pending: Number(r.pending),
      rate: rate(met, breached),
    };
  });
  const totals = new Map<string, ComplianceRow>();
  for (const r of bySeverity) {
    const t = totals.get(r.target) ?? {
      target: r.target,
      severity: null,
      met: 0,
      breached: 0,
      pending: 0,
      rate: null,
    };
    t.met += r.met;
    t.breached += r.breached;
    t.pending += r.pending;
    t.rate = rate(t.met, t.breached);
    totals.set(r.target, t);
  }
  return {
    period: periodOf(scope),
    rows: [...totals.values(), ...bySeverity],
  };
}
