import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import type { ReplayReport } from '../../../src/domain/replay/replay.ts';
import { answer, api } from '../api/client';
import { useCan } from '../auth/session';
import { ErrorNote, Field, fieldError } from '../ui/field';
import { TableWrap } from '../ui/table-wrap';

const duration = (ms: number | null) => {
  if (ms === null) return '—';
  const minutes = Math.round(ms / 60_000);
  return minutes < 60
    ? `${minutes}m`
    : `${Math.floor(minutes / 60)}h${minutes % 60 ? `${minutes % 60}m` : ''}`;
};
const paged = (pages: ReplayReport['incidents'][number]['actual']['paged']) =>
  pages.length === 0
    ? 'nobody'
    : pages.map((p) => `${p.to}${p.shadow ? ' (shadow)' : ''} ${p.at_offset}`).join(', ');

/** How the incident began: by hand, or from alerts with the severity declared then → under the new plan. */
const began = (i: ReplayReport['incidents'][number]) =>
  i.origin === 'declared'
    ? 'declared by hand'
    : `from alerts: ${i.actual.declared_severity} → ${i.replay.declared_severity ?? 'not declared'}`;

/** What-if replay: a changed plan file run over the plan's past incidents, before it is saved. */
export function Replay({ name }: { name: string }) {
  const canReplay = useCan('plan:write');
  const [source, setSource] = useState('');
  const [file, setFile] = useState('plan.yaml');
  const [since, setSince] = useState('90d');
  const run = useMutation({
    mutationFn: () =>
      answer<{ report: ReplayReport }>(
        api.POST('/api/v1/plans/{name}/replay', {
          params: { path: { name } },
          body: { source, file, since, limit: 25 },
        }),
      ).then((a) => a.report),
  });
  if (!canReplay) return null;
  function submit(event: FormEvent) {
    event.preventDefault();
    run.mutate();
  }
  const report = run.data;
  return (
    <section aria-labelledby="replay-title">
      <h3 id="replay-title">What-if replay</h3>
      <p>Run this plan's past incidents again under a changed plan file, before you save it.</p>
      <form className="stack" onSubmit={submit} aria-label="What-if replay">
        <label className="field">
          Changed plan file (YAML)
          <input
            type="file"
            accept=".yaml,.yml,text/yaml"
            onChange={(e) => {
              const chosen = e.target.files?.[0];
              if (!chosen) return;
              setFile(chosen.name);
              void chosen.text().then(setSource);
            }}
          />
        </label>
        <Field label="Incidents since" error={fieldError(run.error, 'since')}>
          {(p) => <input {...p} value={since} onChange={(e) => setSince(e.target.value)} />}
        </Field>
        <button type="submit" className="button" disabled={run.isPending || !source}>
          {run.isPending ? 'Replaying…' : 'Replay'}
        </button>
        <ErrorNote error={run.error} shownFields={['since']} />
      </form>
      {report && (
        <section aria-label="Replay report">
          <p role="status">
            {report.incidents.length} of {report.total} incident(s) declared since {report.from} replayed
            under {report.source}
            {report.next ? ' (the CLI replays the rest: tocsin plan replay)' : ''}
          </p>
          <TableWrap label="Replayed incidents">
            <table aria-label="Replayed incidents">
              <thead>
                <tr>
                  <th scope="col">Incident</th>
                  <th scope="col">Began</th>
                  <th scope="col">Paged then</th>
                  <th scope="col">Would page</th>
                  <th scope="col">Breached then</th>
                  <th scope="col">Would breach</th>
                  <th scope="col">MTTA then / replayed</th>
                  <th scope="col">MTTR then / replayed</th>
                </tr>
              </thead>
              <tbody>
                {report.incidents.map((i) => (
                  <tr key={i.incident_id}>
                    <td>
                      #{i.incident_id} {i.title} ({i.severity})
                    </td>
                    <td>{began(i)}</td>
                    <td>{paged(i.actual.paged)}</td>
                    <td>{paged(i.replay.paged)}</td>
                    <td>{i.actual.breached.join(', ') || 'none'}</td>
                    <td>{i.replay.breached.join(', ') || 'none'}</td>
                    <td>
                      {duration(i.actual.metrics.mtta)} / {duration(i.replay.metrics.mtta)}
                    </td>
                    <td>
                      {duration(i.actual.metrics.mttr)} / {duration(i.replay.metrics.mttr)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          <TableWrap label="Replay totals">
            <table aria-label="Replay totals">
              <thead>
                <tr>
                  <th scope="col">Over {report.totals.incidents} incident(s)</th>
                  <th scope="col">Then</th>
                  <th scope="col">Replayed</th>
                </tr>
              </thead>
              <tbody>
                {report.totals.breaches.map((b) => (
                  <tr key={`b-${b.target}`}>
                    <td>{b.target} breached</td>
                    <td>{b.actual}</td>
                    <td>{b.replay}</td>
                  </tr>
                ))}
                {report.totals.pages.map((p) => (
                  <tr key={`p-${p.to}`}>
                    <td>pages to {p.to}</td>
                    <td>{p.actual}</td>
                    <td>{p.replay}</td>
                  </tr>
                ))}
                {report.totals.metrics.map((m) => (
                  <tr key={`m-${m.metric}`}>
                    <td>{m.metric} mean</td>
                    <td>{duration(m.actual)}</td>
                    <td>{duration(m.replay)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </section>
      )}
    </section>
  );
}
