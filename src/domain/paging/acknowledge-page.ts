import type { Clock } from '../../db/clock.ts';
import type { Db, Row } from '../../db/schema.ts';
import { inTx } from '../../db/tx.ts';
import { NotFound } from '../../errors.ts';
import { type Actor, makeCtx } from '../context.ts';
import { acknowledgeIncident } from '../incidents/acknowledge-incident.ts';
import * as incidents from '../incidents/queries.ts';
import * as users from '../users/queries.ts';
import { hashAckToken } from './ack-tokens.ts';
import * as q from './queries.ts';

// Acknowledging from outside a terminal: the link in an email or push, an SMS reply code, a phone
// keypress, a Slack button. Each acts as the paged person (their role decides, as for the API); an
// incident's acknowledgement stops all of its paging; a page without an incident stops its own.

export interface PageAck {
  incidentId: string | null;
  escalationId: string;
  user: string;
  /** False when it was already acknowledged (a second click is not an error). */
  changed: boolean;
}

interface Deps {
  db: Db;
  clock: Clock;
}

/** By the token of an acknowledge link. */
export async function acknowledgeByToken(deps: Deps, token: string): Promise<PageAck> {
  const row = await q.findAckTokenByHash(deps.db, hashAckToken(token));
  if (!row || row.expires_at <= deps.clock.now()) throw new NotFound('acknowledge link', 'this link');
  return acknowledgeAs(deps, row);
}

export interface AckLinkView {
  user: string;
  incident: { id: string; title: string; severity: string; state: string; acknowledged: boolean } | null;
}

/** What an acknowledge link is about, read only (opening a link must not act: scanners open links). */
export async function describeAckToken(deps: Deps, token: string): Promise<AckLinkView> {
  const row = await q.findAckTokenByHash(deps.db, hashAckToken(token));
  if (!row || row.expires_at <= deps.clock.now()) throw new NotFound('acknowledge link', 'this link');
  const user = await users.findById(deps.db, row.user_id);
  const incident = row.incident_id ? await incidents.findIncident(deps.db, row.incident_id) : undefined;
  return {
    user: user?.handle ?? '',
    incident: incident
      ? {
          id: incident.id,
          title: incident.title,
          severity: incident.severity,
          state: incident.state,
          acknowledged: incident.acknowledged_at !== null,
        }
      : null,
  };
}

/** By the reply code of an SMS or a voice call, from the person the contact method belongs to. */
export async function acknowledgeByCode(deps: Deps, userId: string, code: string): Promise<PageAck> {
  const row = await q.findAckTokenByCode(deps.db, userId, code.trim(), deps.clock.now());
  if (!row) throw new NotFound('page with code', code.trim());
  return acknowledgeAs(deps, row);
}

/** By incident id, as a known user (a Slack button names the incident and the Slack user). */
export async function acknowledgeIncidentAs(
  deps: Deps,
  userId: string,
  incidentId: string,
): Promise<PageAck> {
  const actor = await actorOf(deps.db, userId);
  const before = await incidents.findIncident(deps.db, incidentId);
  await acknowledgeIncident({ ctx: makeCtx(deps, actor), input: { incidentId } });
  return { incidentId, escalationId: '', user: actor.name, changed: !before?.acknowledged_at };
}

async function acknowledgeAs(deps: Deps, token: Row<'ack_tokens'>): Promise<PageAck> {
  const actor = await actorOf(deps.db, token.user_id);
  let changed: boolean;
  if (token.incident_id !== null) {
    const r = await acknowledgeIncidentAs(deps, token.user_id, token.incident_id);
    changed = r.changed;
  } else {
    changed = await inTx(deps.db, (tx) =>
      q.endEscalation(tx, token.escalation_id, 'acknowledged', actor.name, deps.clock.now()),
    );
  }
  await q.markAckTokenUsed(deps.db, token.token_hash, deps.clock.now());
  return { incidentId: token.incident_id, escalationId: token.escalation_id, user: actor.name, changed };
}

/** The actor a Tocsin user acts as (their role and leadership), for requests a provider verified. */
export async function actorOf(db: Db, userId: string): Promise<Actor> {
  const user = await users.findById(db, userId);
  if (!user) throw new NotFound('user', userId);
  return { kind: 'user', userId: user.id, name: user.handle, role: user.role, leadership: user.leadership };
}
