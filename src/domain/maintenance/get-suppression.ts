import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import { ENTITY, publicSuppression, type SuppressionKind, suppressionIdSchema } from './maintenance.ts';
import * as q from './queries.ts';

export async function getSuppression({ ctx, input }: Operation<{ kind: SuppressionKind; id: string }>) {
  ctx.require('read');
  const id = suppressionIdSchema.safeParse(input.id);
  const found = id.success ? await q.findSuppression(ctx.db, input.kind, id.data) : undefined;
  if (!found) throw new NotFound(ENTITY[input.kind], input.id);
  return publicSuppression(found, ctx.clock.now());
}
