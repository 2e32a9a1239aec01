import type { Operation } from '../context.ts';
import { type DecisionInput, decide } from './decide.ts';

/** Rejects a pending request for a gated incident action: one approver's rejection closes it. */
export function rejectAction({ ctx, input }: Operation<DecisionInput>) {
  return decide(ctx, input, 'rejected');
}
