import type { Row } from '../../db/schema.ts';
import { Conflict, Invalid, NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import { changeIncident } from './change.ts';
import { EVENT_KINDS } from './events.ts';
import { canChangeHypothesis, changedFields, isId } from './incident.ts';
import { hypothesisPatchSchema, type UpdateHypothesisInput } from './inputs.ts';
import * as incidents from './queries.ts';

/** Confirms or rejects a proposed hypothesis with what the test showed, or edits its text. */
export async function updateHypothesis({
  ctx,
  input,
}: Operation<UpdateHypothesisInput>): Promise<Row<'hypotheses'>> {
  ctx.require('incident:update');
  const { incidentId, hypothesisId, ...body } = input;
  const data = hypothesisPatchSchema.parse(body);
  return changeIncident(ctx, incidentId, { refusedWhenResolved: 'change hypotheses' }, async (c) => {
    const before = isId(hypothesisId)
      ? await incidents.lockHypothesis(c.tx, c.incident.id, hypothesisId)
      : undefined;
    if (!before) throw new NotFound('hypothesis', hypothesisId);
    const status = data.status ?? before.status;
    if (!canChangeHypothesis(before.status, status)) {
      throw new Conflict(`hypothesis ${before.id} is already ${before.status}; it cannot become ${status}`);
    }
    const result = data.result ?? before.result;
    if (status !== 'proposed' && result.trim() === '') {
      throw new Invalid(`say what the test showed to mark the hypothesis ${status}`, [
        { path: 'result', message: `required when the status is ${status}` },
      ]);
    }
    const next = { status, result, statement: data.statement, test_plan: data.test_plan };
    const changed = changedFields(before, next);
    if (changed.length === 0) return before;
    const after = await incidents.updateHypothesis(c.tx, before.id, {
      ...Object.fromEntries(changed.map((f) => [f, next[f]])),
      updated_at: c.now,
    });
    await c.event(EVENT_KINDS.hypothesisChanged, {
      hypothesis_id: after.id,
      statement: after.statement,
      from: before.status,
      to: after.status,
      result: after.result,
    });
    await c.audit('hypothesis.changed', before, after, { type: 'hypothesis', id: after.id });
    return after;
  });
}
