import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import * as q from './queries.ts';
import { type PolicyView, showPolicy } from './view.ts';

export async function listPolicies({ ctx }: Operation<unknown>): Promise<PolicyView[]> {
  ctx.require('read');
  return (await q.listPolicies(ctx.db)).map(showPolicy);
}

export async function getPolicy({ ctx, input }: Operation<{ name: string }>): Promise<PolicyView> {
  ctx.require('read');
  const policy = await q.findPolicy(ctx.db, input.name);
  if (!policy) throw new NotFound('escalation policy', input.name);
  return showPolicy(policy);
}
