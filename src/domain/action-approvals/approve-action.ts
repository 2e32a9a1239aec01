import type { Operation } from '../context.ts';
import { type DecisionInput, decide } from './decide.ts';

/**
 * Approves a pending request for a gated incident action. The approval that completes every gate's
 * quorum carries the action out, as the requester asked, in the same transaction.
 */
export function approveAction({ ctx, input }: Operation<DecisionInput>) {
  return decide(ctx, input, 'approved');
}
