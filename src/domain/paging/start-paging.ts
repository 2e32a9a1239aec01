import type { EscalationStep, Executor, Row } from '../../db/schema.ts';
import { SYSTEM_ACTOR } from '../context.ts';
import { EVENT_KINDS } from '../incidents/events.ts';
import * as incidents from '../incidents/queries.ts';
import type { Plan } from '../plans/plan.ts';
import * as q from './queries.ts';
import { type PagingIncident, runEscalationStep } from './run-step.ts';

// Starts an escalation and pages its first step in the caller's transaction, so the first messages
// exist the moment the incident (or the workflow firing that pages) commits; the engine module
// `escalations` runs the later steps. One escalation per (incident, source): a retried or repeated
// start changes nothing.

export interface StartPaging {
  incident: PagingIncident | null;
  plan: Plan | null;
  kind: 'paging' | 'duration';
  /** Why (unique per incident): "severity", "tier:L2", "responder:sre-on-call", "manual:3". */
  source: string;
  /** What is paged, for the timeline: a policy name or a target. */
  policy: string;
  steps: EscalationStep[];
  repeat: number;
  /** Contact kinds allowed (email, sms, voice, push, slack); [] = each person's own rules. */
  channels: string[];
  message: string;
  now: Date;
  publicUrl: string;
}

export async function startPaging(tx: Executor, input: StartPaging): Promise<Row<'escalations'> | undefined> {
  const esc = await q.insertEscalation(tx, {
    incident_id: input.incident?.id ?? null,
    kind: input.kind,
    source: input.source,
    steps: JSON.stringify(input.steps),
    repeat: input.repeat,
    channels: JSON.stringify(input.channels),
    message: input.message,
    next_at: input.now,
    status: 'active',
    started_at: input.now,
    updated_at: input.now,
  });
  if (!esc) return undefined;
  if (input.incident) {
    await incidents.appendEvent(tx, {
      incidentId: input.incident.id,
      kind: EVENT_KINDS.pagingStarted,
      at: input.now,
      actor: SYSTEM_ACTOR,
      data: {
        escalation: esc.id,
        source: input.source,
        policy: input.policy,
        kind: input.kind,
        ...(input.channels.length > 0 ? { channels: input.channels } : {}),
      },
    });
  }
  await runEscalationStep(tx, esc, {
    incident: input.incident,
    plan: input.plan,
    now: input.now,
    publicUrl: input.publicUrl,
  });
  return esc;
}
