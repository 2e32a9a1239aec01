import type { Row } from '../../db/schema.ts';
import type { Operation } from '../context.ts';
import { changeIncident } from './change.ts';
import { EVENT_KINDS } from './events.ts';
import { type AddHypothesisInput, hypothesisBodySchema } from './inputs.ts';
import * as incidents from './queries.ts';

/** Records a proposed explanation and how to test it. */
export async function addHypothesis({
  ctx,
  input,
}: Operation<AddHypothesisInput>): Promise<Row<'hypotheses'>> {
  ctx.require('incident:update');
  const { incidentId, ...body } = input;
  const data = hypothesisBodySchema.parse(body);
  return changeIncident(ctx, incidentId, { refusedWhenResolved: 'add hypotheses' }, async (c) => {
    const hypothesis = await incidents.insertHypothesis(c.tx, {
      incident_id: c.incident.id,
      statement: data.statement,
      test_plan: data.test_plan,
      status: 'proposed',
      created_by: ctx.actor.name,
      created_at: c.now,
      updated_at: c.now,
    });
    await c.event(EVENT_KINDS.hypothesisAdded, { hypothesis_id: hypothesis.id, statement: data.statement });
    await c.audit('hypothesis.added', undefined, hypothesis, { type: 'hypothesis', id: hypothesis.id });
    return hypothesis;
  });
}
