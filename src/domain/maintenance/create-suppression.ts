import { inTx } from '../../db/tx.ts';
import { Invalid, NotFound } from '../../errors.ts';
import { parseDuration } from '../../lib/duration.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import * as services from '../services/queries.ts';
import {
  ENTITY,
  MAX_SUPPRESSION_MS,
  publicSuppression,
  type SuppressionInput,
  type SuppressionKind,
  suppressionInputSchema,
  WRITE_PERMISSION,
} from './maintenance.ts';
import * as q from './queries.ts';

/** Creates a maintenance window or a silence; alerts it matches from then on are only recorded. */
export async function createSuppression({
  ctx,
  input,
}: Operation<{ kind: SuppressionKind; suppression: SuppressionInput }>) {
  ctx.require(WRITE_PERMISSION[input.kind]);
  const data = suppressionInputSchema.parse(input.suppression);
  return inTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const service = data.service ? await services.findService(tx, data.service) : undefined;
    if (data.service && !service) {
      throw new Invalid('unknown service', [{ path: 'service', message: `no service "${data.service}"` }]);
    }
    // As in Alertmanager, a start in the past means now: suppressing the past would be invisible.
    const requested = data.starts_at ? new Date(data.starts_at) : now;
    const startsAt = requested < now ? now : requested;
    const endsAt = data.ends_at
      ? new Date(data.ends_at)
      : new Date(startsAt.getTime() + parseDuration(data.duration ?? '0s'));
    const endPath = data.ends_at ? 'ends_at' : 'duration';
    if (!(endsAt > startsAt)) {
      throw new Invalid('it ends before it starts', [
        { path: endPath, message: `must end after it starts (${startsAt.toISOString()})` },
      ]);
    }
    if (endsAt.getTime() - startsAt.getTime() > MAX_SUPPRESSION_MS) {
      throw new Invalid('too long', [{ path: endPath, message: 'lasts at most 366 days' }]);
    }
    const { id } = await q.insertSuppression(tx, {
      kind: input.kind,
      service_id: service?.id ?? null,
      matchers: JSON.stringify(data.matchers),
      starts_at: startsAt,
      ends_at: endsAt,
      comment: data.comment,
      created_by: ctx.actor.name,
      created_at: now,
    });
    const created = await q.findSuppression(tx, input.kind, id);
    if (!created) throw new NotFound(ENTITY[input.kind], id);
    await audit.record(tx, ctx.actor, now, {
      action: `${ENTITY[input.kind]}.created`,
      entityType: ENTITY[input.kind],
      entityId: id,
      after: created,
    });
    return publicSuppression(created, now);
  });
}
