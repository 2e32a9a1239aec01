import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, answer, api, authHeaders } from '../api/client';
import type { PlanVersion } from '../api/models';
import { useCan } from '../auth/session';
import { usePlan, usePlans } from '../incidents/queries';
import { ErrorNote } from '../ui/field';
import { Time } from '../ui/time';
import { diffLines, lineOf } from './diff';
import { Drill } from './drill';
import { Readiness } from './readiness';
import { Replay } from './replay';

interface Rule {
  name: string;
  description?: string;
  source?: string;
  when: unknown;
  if?: unknown;
  then: unknown[];
}

/** Plans: effective rules, versions with a diff, run a drill, upload with errors at their line. */
export default function PlansPage() {
  const { name } = useParams();
  const plans = usePlans();
  return (
    <section aria-labelledby="plans-title">
      <h1 id="plans-title">Plans</h1>
      <nav aria-label="Plans" className="tabs">
        {(plans.data ?? []).map((p) => (
          <Link
            key={p.name}
            to={`/plans/${p.name}`}
            className={p.name === name ? 'active' : ''}
            aria-current={p.name === name ? 'page' : undefined}
          >
            {p.name} <span className="muted small">v{p.current_version}</span>
          </Link>
        ))}
      </nav>
      {name ? <PlanDetail name={name} /> : <p className="muted">Choose a plan.</p>}
      <Upload name={name} />
    </section>
  );
}

function PlanDetail({ name }: { name: string }) {
  const plan = usePlan(name);
  const rules = useQuery({
    queryKey: ['plan-rules', name],
    queryFn: () =>
      answer<{ rules: Rule[] }>(api.GET('/api/v1/plans/{name}/rules', { params: { path: { name } } })),
  });
  return (
    <>
      <h2>{plan.data?.plan.metadata.title ?? name}</h2>
      <Versions name={name} current={plan.data} />
      <Drill name={name} plan={plan.data} />
      <Readiness name={name} />
      <Replay name={name} />
      <h3>Effective rules</h3>
      <ErrorNote error={rules.error} />
      <ol className="plain" aria-label="Effective rules">
        {(rules.data?.rules ?? []).map((r) => (
          <li key={r.name} className="card">
            <strong>{r.name}</strong> <span className="badge">{r.source}</span>
            {r.description && <p className="small">{r.description}</p>}
            <p className="small">
              <strong>When</strong> {describe(r.when)}
              {r.if ? (
                <>
                  {' '}
                  <strong>if</strong> {describe(r.if)}
                </>
              ) : null}
            </p>
            <ul className="small">
              {r.then.map((action, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: actions are ordered, without ids
                <li key={i}>{describe(action)}</li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
    </>
  );
}

/** A rule part as text: `key: value` pairs, nested in braces, as the API gives them. */
function describe(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return value.map(describe).join(', ');
  return Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => (typeof v === 'object' && v !== null ? `${k} { ${describe(v)} }` : `${k}: ${String(v)}`))
    .join('; ');
}

function Versions({ name, current }: { name: string; current: PlanVersion | undefined }) {
  const versions = useQuery({
    queryKey: ['plan-versions', name],
    queryFn: () =>
      answer<{
        versions: { version: number; created_at: string; created_by: string | null; current: boolean }[];
      }>(api.GET('/api/v1/plans/{name}/versions', { params: { path: { name } } })).then((a) => a.versions),
  });
  const latest = current?.current_version ?? 1;
  const [from, setFrom] = useState(0);
  const [to, setTo] = useState(0);
  const a = usePlan(name, from || Math.max(1, latest - 1));
  const b = usePlan(name, to || latest);
  const lines = a.data && b.data ? diffLines(a.data.source, b.data.source) : [];
  const changed = lines.filter((l) => l.op !== ' ');
  return (
    <section aria-labelledby="versions-title">
      <h3 id="versions-title">Versions</h3>
      <ul className="plain">
        {(versions.data ?? []).map((v) => (
          <li key={v.version}>
            v{v.version} by {v.created_by ?? 'tocsin'} <Time at={v.created_at} />{' '}
            {v.current ? '(current)' : ''}
          </li>
        ))}
      </ul>
      {latest > 1 && (
        <>
          <div className="row">
            <label>
              Compare{' '}
              <select
                aria-label="Compare"
                value={from || latest - 1}
                onChange={(e) => setFrom(Number(e.target.value))}
              >
                {(versions.data ?? []).map((v) => (
                  <option key={v.version} value={v.version}>
                    v{v.version}
                  </option>
                ))}
              </select>
            </label>
            <label>
              with{' '}
              <select aria-label="with" value={to || latest} onChange={(e) => setTo(Number(e.target.value))}>
                {(versions.data ?? []).map((v) => (
                  <option key={v.version} value={v.version}>
                    v{v.version}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a keyboard must reach a scrollable diff to scroll it (axe scrollable-region-focusable) */}
          <pre className="diff" tabIndex={0}>
            {changed.length === 0
              ? 'No differences.'
              : lines.map((l, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: diff lines are positional
                  <div key={i} className={l.op === '+' ? 'add' : l.op === '-' ? 'del' : ''}>
                    {l.op} {l.text}
                  </div>
                ))}
          </pre>
        </>
      )}
    </section>
  );
}

function Upload({ name }: { name: string | undefined }) {
  const canWrite = useCan('plan:write');
  const client = useQueryClient();
  const [source, setSource] = useState('');
  const [planName, setPlanName] = useState(name ?? '');
  const [checked, setChecked] = useState<string | null>(null);
  const upload = useMutation({
    mutationFn: async ({ dryRun }: { dryRun: boolean }) => {
      // The plan goes as YAML, so the validator can name lines and columns of this very text.
      const response = await fetch(
        `/api/v1/plans/${encodeURIComponent(planName)}${dryRun ? '?dry_run=true' : ''}`,
        {
          method: 'PUT',
          headers: { 'content-type': 'application/yaml', ...authHeaders('PUT') },
          credentials: 'same-origin',
          body: source,
        },
      );
      const body = (await response.json().catch(() => ({}))) as {
        error?: { code: string; message: string; details?: { path: string; message: string }[] };
        version?: number;
      };
      if (!response.ok) {
        throw new ApiError(
          response.status,
          body.error?.code ?? 'error',
          body.error?.message ?? 'refused',
          body.error?.details ?? [],
        );
      }
      return { dryRun, version: body.version };
    },
    onSuccess: ({ dryRun }) => {
      setChecked(dryRun ? 'The plan is valid.' : 'Plan saved.');
      if (!dryRun) void client.invalidateQueries();
    },
    onMutate: () => setChecked(null),
  });
  if (!canWrite) return null;
  const errors = upload.error instanceof ApiError ? upload.error.details : [];
  const byLine = new Map<number, string[]>();
  for (const e of errors) {
    const at = lineOf(e.path);
    if (at) byLine.set(at.line, [...(byLine.get(at.line) ?? []), `${at.line}:${at.col} ${e.message}`]);
  }
  function submit(event: FormEvent, dryRun: boolean) {
    event.preventDefault();
    upload.mutate({ dryRun });
  }
  return (
    <section aria-labelledby="upload-title">
      <h2 id="upload-title">Upload a plan</h2>
      <form className="stack" onSubmit={(e) => submit(e, false)}>
        <label className="field">
          Plan name
          <input required value={planName} onChange={(e) => setPlanName(e.target.value)} />
        </label>
        <label className="field">
          Plan file (YAML)
          <input
            type="file"
            accept=".yaml,.yml,text/yaml"
            onChange={(e) => void e.target.files?.[0]?.text().then(setSource)}
          />
        </label>
        <label className="field">
          Plan text
          <textarea rows={10} value={source} onChange={(e) => setSource(e.target.value)} spellCheck={false} />
        </label>
        <div className="row">
          <button
            type="button"
            className="button"
            onClick={(e) => submit(e, true)}
            disabled={!source || !planName}
          >
            Check
          </button>
          <button type="submit" className="button primary" disabled={!source || !planName}>
            Save plan
          </button>
        </div>
      </form>
      {checked && <p role="status">{checked}</p>}
      {upload.error ? <ErrorNote error={new Error(upload.error.message)} /> : null}
      {byLine.size > 0 && (
        <section className="plan-source" aria-label="Plan with errors">
          {source.split('\n').map((text, i) => {
            const line = i + 1;
            const problems = byLine.get(line);
            return (
              <div key={line} className={`line${problems ? ' bad' : ''}`} data-line={line}>
                <span className="num">{line}</span>
                <span>{text}</span>
                {problems?.map((p) => (
                  <span key={p} className="line-error" role="alert">
                    {p}
                  </span>
                ))}
              </div>
            );
          })}
        </section>
      )}
    </section>
  );
}
