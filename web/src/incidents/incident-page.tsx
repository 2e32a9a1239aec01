import { useEffect } from 'react';
import { Link, useParams } from 'react-router';
import type { IncidentDetail, PageMessage } from '../api/models';
import { useCan } from '../auth/session';
import { ErrorNote } from '../ui/field';
import { TableWrap } from '../ui/table-wrap';
import { Time } from '../ui/time';
import { UpdatesSection } from '../updates/update-composer';
import { ApprovalsSection } from './approvals-section';
import {
  AcknowledgeButton,
  AssignRoleForm,
  ChecklistItemBox,
  NoteForm,
  PageForm,
  ResolveForm,
  ResponderForm,
  SeverityForm,
  StateForm,
} from './incident-actions';
import { LinkAndMerge, MergedInto, RaiseUrgencyButton, TypeForm, UnlinkButton } from './incident-relations';
import { MaybeLink, PlanGuides } from './plan-guides';
import { useIncident, usePages, usePlan } from './queries';
import { RelatedIncidents } from './related-incidents';
import { TargetClocks } from './target-clocks';
import { Timeline } from './timeline';

/** The incident page: everything about one incident and every action on it (for those who may act). */
export default function IncidentPage() {
  const { id = '' } = useParams();
  const query = useIncident(id);
  const detail = query.data;
  const plan = usePlan(detail?.incident.plan_name, detail?.incident.plan_version);
  const canAct = useCan('incident:update');
  const shown = detail !== undefined;
  // The moment the incident is on screen with its actions: `npm run bench -- --console` reads this
  // mark (with Chromium's navigation timing and long tasks) as the page's time to interactive.
  useEffect(() => {
    if (shown) performance.mark('tocsin:incident-interactive');
  }, [shown]);
  if (query.isLoading) return <p className="muted">Loading incident…</p>;
  if (!detail) return <ErrorNote error={query.error ?? new Error('no such incident')} />;
  const { incident } = detail;
  const open = !incident.resolved_at;
  return (
    <article className="incident" aria-labelledby="incident-title">
      <p className="crumbs">
        <Link to="/incidents">Incidents</Link> / #{incident.id}
      </p>
      <header className="incident-head">
        <h1 id="incident-title">{incident.title}</h1>
        <dl className="facts">
          <div>
            <dt>Severity</dt>
            <dd>
              <span className={`sev sev-${incident.severity.toLowerCase()}`}>{incident.severity}</span>
            </dd>
          </div>
          {incident.urgency === 'low' && (
            <div>
              <dt>Urgency</dt>
              <dd data-testid="incident-urgency">low (best-effort paging)</dd>
            </div>
          )}
          {incident.type && (
            <div>
              <dt>Type</dt>
              <dd data-testid="incident-type">{incident.type}</dd>
            </div>
          )}
          <div>
            <dt>State</dt>
            <dd data-testid="incident-state">{incident.state}</dd>
          </div>
          <div>
            <dt>Plan</dt>
            <dd>
              <Link to={`/plans/${incident.plan_name}`}>{incident.plan_name}</Link> v{incident.plan_version}
            </dd>
          </div>
          <div>
            <dt>Declared</dt>
            <dd>
              <Time at={incident.declared_at} /> by {incident.created_by ?? 'tocsin'}
            </dd>
          </div>
          <div>
            <dt>Acknowledged</dt>
            <dd data-testid="incident-ack">
              {incident.acknowledged_at ? <Time at={incident.acknowledged_at} /> : 'not yet'}
            </dd>
          </div>
          {incident.service && (
            <div>
              <dt>Service</dt>
              <dd>{incident.service}</dd>
            </div>
          )}
          <MergedInto into={incident.merged_into} />
        </dl>
        {canAct && (
          <div className="row">
            <AcknowledgeButton detail={detail} />
            <RaiseUrgencyButton detail={detail} />
          </div>
        )}
      </header>

      <section aria-labelledby="clocks-title">
        <h2 id="clocks-title">Targets</h2>
        <TargetClocks targets={detail.targets} />
      </section>

      <div className="columns">
        <div>
          <RolesSection detail={detail} />
          {canAct && open && <AssignRoleForm detail={detail} plan={plan.data?.plan} />}
          <ChecklistsSection detail={detail} canAct={canAct} />
          <HypothesesSection detail={detail} />
          <LinksSection detail={detail} />
          <RelatedIncidents
            related={detail.related ?? []}
            {...(canAct ? { action: (r) => <UnlinkButton incidentId={incident.id} other={r} /> } : {})}
          />
          {canAct && <LinkAndMerge detail={detail} />}
          <PlanGuides
            plan={plan.data?.plan}
            severity={incident.severity}
            links={detail.links}
            warRoomUrl={incident.war_room_url ?? null}
          />
        </div>
        <div>
          <section aria-labelledby="timeline-title">
            <h2 id="timeline-title">Timeline</h2>
            <Timeline events={detail.timeline} />
            {canAct && <NoteForm detail={detail} />}
          </section>
        </div>
      </div>

      <ApprovalsSection detail={detail} canAct={canAct} />
      <UpdatesSection incidentId={incident.id} canAct={canAct} />
      <ResponderSection detail={detail} canAct={canAct && open} />
      <PagesSection incidentId={incident.id} />

      {canAct && (
        <section aria-labelledby="actions-title" className="actions">
          <h2 id="actions-title">Change the incident</h2>
          {open && <SeverityForm detail={detail} plan={plan.data?.plan} />}
          {open && <TypeForm detail={detail} plan={plan.data?.plan} />}
          <StateForm detail={detail} />
          <ResolveForm detail={detail} />
        </section>
      )}
    </article>
  );
}

function RolesSection({ detail }: { detail: IncidentDetail }) {
  return (
    <section aria-labelledby="roles-title">
      <h2 id="roles-title">Roles</h2>
      {detail.roles.length === 0 ? (
        <p className="muted">Nobody holds a role yet.</p>
      ) : (
        <dl className="pairs">
          {detail.roles.map((r) => (
            <div key={r.role}>
              <dt>{r.role}</dt>
              <dd>{(r as { name?: string }).name ?? r.user}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

function ChecklistsSection({ detail, canAct }: { detail: IncidentDetail; canAct: boolean }) {
  if (detail.checklists.length === 0) return null;
  return (
    <section aria-labelledby="checklists-title">
      <h2 id="checklists-title">Checklists</h2>
      {detail.checklists.map((list) => (
        <fieldset key={list.name} className="checklist">
          <legend>
            {list.name}
            {/* An attached runbook's checklist links to the runbook itself (GET incident links). */}
            {detail.links[list.name] ? (
              <>
                {' — '}
                <a href={detail.links[list.name]} target="_blank" rel="noreferrer">
                  open runbook
                </a>
              </>
            ) : null}
          </legend>
          <ul className="plain">
            {list.items.map((item) => (
              <ChecklistItemBox
                key={item.id}
                incidentId={detail.incident.id}
                item={item}
                disabled={!canAct}
              />
            ))}
          </ul>
        </fieldset>
      ))}
    </section>
  );
}

function HypothesesSection({ detail }: { detail: IncidentDetail }) {
  return (
    <section aria-labelledby="hyp-title">
      <h2 id="hyp-title">Hypotheses</h2>
      {detail.hypotheses.length === 0 ? (
        <p className="muted">No hypotheses yet.</p>
      ) : (
        <ul className="plain">
          {detail.hypotheses.map((h) => (
            <li key={h.id}>
              <span className="badge">{h.status}</span> {h.statement}
              {h.result ? <span className="muted"> — {h.result}</span> : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function LinksSection({ detail }: { detail: IncidentDetail }) {
  const links = Object.entries(detail.links);
  if (links.length === 0 && !detail.incident.channel_name) return null;
  return (
    <section aria-labelledby="links-title">
      <h2 id="links-title">Links</h2>
      <ul className="plain">
        {detail.incident.channel_name && (
          <li>
            Chat channel: <code>{detail.chat_channel?.name ?? detail.incident.channel_name}</code>
            {detail.chat_channel && (
              <span className="muted">
                {' '}
                (Slack: {detail.chat_channel.status}
                {detail.chat_channel.id ? ` · ${detail.chat_channel.id}` : ''})
              </span>
            )}
          </li>
        )}
        {links.map(([name, url]) => (
          <li key={name}>
            <MaybeLink url={url}>{name}</MaybeLink>
          </li>
        ))}
      </ul>
    </section>
  );
}

function ResponderSection({ detail, canAct }: { detail: IncidentDetail; canAct: boolean }) {
  return (
    <section aria-labelledby="resp-title">
      <h2 id="resp-title">Responders</h2>
      {detail.responders.length === 0 ? (
        <p className="muted">No responders added.</p>
      ) : (
        <ul className="plain">
          {detail.responders.map((r) => (
            <li key={String(r.responder)}>
              {String(r.responder ?? '')}
              {r.user ? ` — ${String(r.user)}` : ''}
            </li>
          ))}
        </ul>
      )}
      {canAct && (
        <>
          <ResponderForm detail={detail} />
          <PageForm detail={detail} />
        </>
      )}
    </section>
  );
}

function PagesSection({ incidentId }: { incidentId: string }) {
  const pages = usePages(incidentId);
  const messages: PageMessage[] = pages.data ?? [];
  return (
    <section aria-labelledby="pages-title">
      <h2 id="pages-title">Pages</h2>
      {messages.length === 0 ? (
        <p className="muted">No pages sent.</p>
      ) : (
        <TableWrap label="Pages sent">
          <table>
            <thead>
              <tr>
                <th scope="col">Who</th>
                <th scope="col">Channel</th>
                <th scope="col">Delivery</th>
                <th scope="col">Queued</th>
              </tr>
            </thead>
            <tbody>
              {messages.map((m) => (
                <tr key={m.id}>
                  <td>{m.user}</td>
                  <td>
                    {m.channel} <span className="muted small">{m.destination}</span>
                  </td>
                  <td>
                    <span className={`badge delivery-${m.status}`}>{m.status}</span>
                    {m.error ? <span className="muted small"> {m.error}</span> : null}
                  </td>
                  <td>
                    <Time at={m.queued_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}
