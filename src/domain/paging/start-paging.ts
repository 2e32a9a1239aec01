import type { EscalationStep, Executor, Row } from '../../db/schema.ts';
import { txMemo } from '../../db/tx-memo.ts';
import { SYSTEM_ACTOR } from '../context.ts';
import { EVENT_KINDS } from '../incidents/events.ts';
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
  const row = {
    incident_id: input.incident?.id ?? null,
    kind: input.kind,
    source: input.source,
    steps: JSON.stringify(input.steps),
    repeat: input.repeat,
    channels: JSON.stringify(input.channels),
    message: input.message,
    next_at: input.now,
    status: 'active' as const,
    started_at: input.now,
    updated_at: input.now,
  };
  // With an incident, its timeline's paging.started event is written by the same statement.
  const esc = input.incident
    ? await q.insertEscalationWithEvent(tx, row, {
        incident_id: input.incident.id,
        at: input.now,
        kind: EVENT_KINDS.pagingStarted,
        actor_name: SYSTEM_ACTOR.name,
        data: {
          source: input.source,
          policy: input.policy,
          kind: input.kind,
          ...(input.channels.length > 0 ? { channels: input.channels } : {}),
        },
      })
    : await q.insertEscalation(tx, row);
  if (!esc) return undefined;
  if (input.incident) txMemo(tx)?.startedEscalation(input.incident.id, esc.id);
  await runEscalationStep(tx, esc, {
    incident: input.incident,
    plan: input.plan,
    now: input.now,
    publicUrl: input.publicUrl,
  });
  return esc;
}
