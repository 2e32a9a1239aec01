import { Invalid, NotFound } from '../../errors.ts';
import { decodeCursor, pageOf, refuseOffsetWithCursor } from '../../lib/cursor.ts';
import type { Operation } from '../context.ts';
import { hiddenIncidentIds } from '../incidents/confidential.ts';
import * as services from '../services/queries.ts';
import { publicAlert, unlinkHidden } from './alerts.ts';
import { type ListAlertsInput, listAlertsQuerySchema } from './inputs.ts';
import * as alerts from './queries.ts';

/** Alerts, last seen first; `next` is the cursor of the following page (null on the last). */
export async function listAlerts({ ctx, input }: Operation<ListAlertsInput>) {
  ctx.require('read');
  const q = listAlertsQuerySchema.parse(input);
  refuseOffsetWithCursor(q);
  const service = q.service ? await services.findService(ctx.db, q.service) : undefined;
  if (q.service && !service) throw new NotFound('service', q.service);
  const pairs = q.label === undefined ? [] : Array.isArray(q.label) ? q.label : [q.label];
  const labels: Record<string, string> = {};
  for (const [i, pair] of pairs.entries()) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Invalid('bad label filter', [{ path: `label.${i}`, message: 'use key=value' }]);
    labels[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const rows = await alerts.listAlerts(ctx.db, {
    serviceId: service?.id,
    status: q.status,
    labels,
    limit: q.limit + 1,
    offset: q.offset,
    after: q.cursor === undefined ? undefined : decodeCursor(q.cursor),
  });
  const page = pageOf(rows, q.limit, (r) => ({ at: r.cursor_at, id: r.id }));
  const ids = page.items.flatMap((a) => [a.incident_id, a.detached_from]);
  const hidden = await hiddenIncidentIds(ctx.db, ids, ctx.actor, ctx.clock.now());
  return {
    alerts: page.items.map(({ cursor_at: _, ...r }) => publicAlert(unlinkHidden(r, hidden))),
    next: page.next,
  };
}
