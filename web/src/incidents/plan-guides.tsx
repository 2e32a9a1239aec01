import type { ReactNode } from 'react';
import { httpUrl } from '../../../src/lib/http-url.ts';
import type { PlanDocument, RunbookStep } from '../api/models';

// What the incident's plan version gives responders to work with: the war room (when the plan holds
// one for this severity), the runbooks with their links and steps, and the tools with their links.
// The war-room link is the one the server stored on the incident (plan warRoom.url, rendered once).

/** A link when the address is http(s), else the text alone. */
export function MaybeLink({ url, children }: { url: string | undefined; children: ReactNode }) {
  const href = httpUrl(url);
  return href ? (
    <a href={href} rel="noreferrer noopener" target="_blank">
      {children}
    </a>
  ) : (
    children
  );
}

function Step({ step }: { step: RunbookStep }) {
  if (typeof step === 'string') return <li>{step}</li>;
  return (
    <li>
      {step.title}
      {step.command ? (
        <>
          {' '}
          <code>{step.command}</code>
        </>
      ) : null}
    </li>
  );
}

export function PlanGuides({
  plan,
  severity,
  links,
  warRoomUrl,
}: {
  plan: PlanDocument | undefined;
  severity: string;
  /** The incident's rendered plan links (name → URL), as the API answers them. */
  links: Record<string, string>;
  /** The war-room link stored on the incident, when it has one. */
  warRoomUrl?: string | null;
}) {
  if (!plan) return null;
  const war = plan.warRoom;
  const warRoom =
    war && (warRoomUrl || !war.severities?.length || war.severities.includes(severity)) ? war : undefined;
  const runbooks = plan.runbooks ?? [];
  const tools = plan.tools ?? [];
  if (!warRoom && runbooks.length === 0 && tools.length === 0) return null;
  return (
    <section aria-labelledby="guides-title">
      <h2 id="guides-title">War room, runbooks and tools</h2>
      {warRoom && (
        <p className="small" data-testid="war-room">
          War room{warRoom.tool ? ` (${warRoom.tool})` : ''}:{' '}
          {(warRoom.participants ?? []).map((p) => (p.note ? `${p.who} (${p.note})` : p.who)).join(', ') ||
            'as the plan says'}
          {warRoomUrl && (
            <>
              {' · '}
              <MaybeLink url={warRoomUrl}>Join the call</MaybeLink>
            </>
          )}
        </p>
      )}
      {runbooks.length > 0 && (
        <ul className="plain" aria-label="Runbooks">
          {runbooks.map((r) => {
            const steps = [...(r.triage ?? []), ...(r.steps ?? [])];
            return (
              <li key={r.id}>
                <MaybeLink url={r.url}>{r.title}</MaybeLink>
                {r.description ? <span className="muted small"> — {r.description}</span> : null}
                {steps.length > 0 && (
                  <details>
                    <summary className="small">Steps of {r.title}</summary>
                    <ol className="small">
                      {steps.map((step, i) => (
                        // biome-ignore lint/suspicious/noArrayIndexKey: steps have no id; their order is their identity
                        <Step key={i} step={step} />
                      ))}
                    </ol>
                  </details>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {tools.length > 0 && (
        <ul className="plain small" aria-label="Tools">
          {tools.map((t) => {
            return (
              <li key={t.name}>
                <MaybeLink url={t.link ? (links[t.link] ?? t.link) : undefined}>{t.name}</MaybeLink>
                {t.purpose ? <span className="muted"> — {t.purpose}</span> : null}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
