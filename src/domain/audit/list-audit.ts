import type { Operation } from '../context.ts';
import * as audit from './queries.ts';

export async function listAudit({
  ctx,
  input,
}: Operation<{ entityType?: string | undefined; entityId?: string | undefined; limit: number }>) {
  ctx.require('audit:read');
  return audit.list(ctx.db, input);
}
