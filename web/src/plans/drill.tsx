import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { drillBodySchema } from '../../../src/domain/drills/inputs.ts';
import { answer, api } from '../api/client';
import type { PlanVersion } from '../api/models';
import { checked } from '../api/validate';
import { useCan } from '../auth/session';
import { ErrorNote, Field, fieldError } from '../ui/field';
import { TableWrap } from '../ui/table-wrap';

interface DrillReport {
  plan: string;
  plan_version: number;
  severity: string;
  severity_title: string;
  scenario: string;
  passed: boolean;
  targets: {
    target: string;
    duration: string;
    due_offset: string;
    met_offset: string | null;
    verdict: string;
  }[];
  cadence: { audience: string; every: string; updates: number; max_gap: string | null; verdict: string }[];
  steps: { at: string; do: string; ok: boolean; error?: string }[];
  rules: { rule: string; expected: string; actual: string; verdict: string; note?: string }[];
  not_checked: { field: string; reason: string }[];
}

/** "Run a drill": the plan's current version on a virtual clock, its report target by target. */
export function Drill({ name, plan }: { name: string; plan: PlanVersion | undefined }) {
  const canDrill = useCan('plan:write');
  const [severity, setSeverity] = useState('');
  const run = useMutation({
    mutationFn: () =>
      answer<{ report: DrillReport }>(
        api.POST('/api/v1/plans/{name}/drill', {
          params: { path: { name } },
          body: checked(drillBodySchema, severity ? { severity } : {}),
        }),
      ).then((a) => a.report),
  });
  if (!canDrill) return null;
  const severities = plan?.plan.severities ?? [];
  function submit(event: FormEvent) {
    event.preventDefault();
    run.mutate();
  }
  const report = run.data;
  return (
    <section aria-labelledby="drill-title">
      <h3 id="drill-title">Run a drill</h3>
      <form className="inline-form" onSubmit={submit} aria-label="Run a drill">
        <Field label="Drill severity" error={fieldError(run.error, 'severity')}>
          {(p) => (
            <select {...p} value={severity} onChange={(e) => setSeverity(e.target.value)}>
              <option value="">The first ({severities[0]?.id ?? '—'})</option>
              {severities.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.id} · {s.title}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="submit" className="button" disabled={run.isPending}>
          {run.isPending ? 'Drilling…' : 'Run a drill'}
        </button>
        <ErrorNote error={run.error} shownFields={['severity']} />
      </form>
      {report && (
        <section aria-label="Drill report">
          <p role="status">
            <span className={`badge ${report.passed ? 'ok' : 'danger'}`}>
              {report.passed ? 'passed' : 'breached'}
            </span>{' '}
            {report.plan} v{report.plan_version}, {report.severity} ({report.severity_title}), scenario{' '}
            {report.scenario}
          </p>
          <TableWrap label="Drill targets">
            <table aria-label="Drill targets">
              <thead>
                <tr>
                  <th scope="col">Target</th>
                  <th scope="col">Within</th>
                  <th scope="col">Due</th>
                  <th scope="col">Met</th>
                  <th scope="col">Verdict</th>
                </tr>
              </thead>
              <tbody>
                {report.targets.map((r) => (
                  <tr key={r.target}>
                    <td>{r.target}</td>
                    <td>{r.duration}</td>
                    <td>{r.due_offset}</td>
                    <td>{r.met_offset ?? '—'}</td>
                    <td>{r.verdict}</td>
                  </tr>
                ))}
                {report.cadence.map((c) => (
                  <tr key={`cadence-${c.audience}`}>
                    <td>{c.audience} updates</td>
                    <td>every {c.every}</td>
                    <td>{c.updates} sent</td>
                    <td>{c.max_gap ?? '—'}</td>
                    <td>{c.verdict}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          {report.rules.length > 0 && (
            <TableWrap label="Rules judged">
              <table aria-label="Rules judged">
                <thead>
                  <tr>
                    <th scope="col">Rule</th>
                    <th scope="col">Expected</th>
                    <th scope="col">Actual</th>
                    <th scope="col">Verdict</th>
                    <th scope="col">Note</th>
                  </tr>
                </thead>
                <tbody>
                  {report.rules.map((r) => (
                    <tr key={`${r.rule} ${r.expected} ${r.actual} ${r.note ?? ''}`}>
                      <td>{r.rule}</td>
                      <td>{r.expected}</td>
                      <td>{r.actual}</td>
                      <td>{r.verdict}</td>
                      <td>{r.note ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
          {report.not_checked.length > 0 && (
            <details>
              <summary>Not checked by a drill ({report.not_checked.length} plan fields)</summary>
              <ul aria-label="Not checked">
                {report.not_checked.map((n) => (
                  <li key={n.field}>
                    <code>{n.field}</code>: {n.reason}
                  </li>
                ))}
              </ul>
            </details>
          )}
          {report.steps.some((s) => !s.ok) && (
            <ul aria-label="Failed steps">
              {report.steps
                .filter((s) => !s.ok)
                .map((s) => (
                  <li key={`${s.at}-${s.do}`}>
                    {s.at} {s.do}: {s.error}
                  </li>
                ))}
            </ul>
          )}
        </section>
      )}
    </section>
  );
}
