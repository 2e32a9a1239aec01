import { inTx } from '../../db/tx.ts';
import { Invalid } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import { sameValue } from '../config/config.ts';
import type { Operation } from '../context.ts';
import * as services from '../services/queries.ts';
import { ENTITY } from './maintenance.ts';
import { storedView, timingOf, type WindowSpec, windowView } from './maintenance-window.ts';
import * as q from './queries.ts';

export interface ApplyWindowInput {
  name: string;
  spec: WindowSpec;
  /** The file it comes from: applying that file again without the window ends it. */
  file: string;
}

/**
 * Creates or updates a maintenance window declared as a document: one row per service, updated in
 * place when the document changes (so alerts it already suppressed keep pointing at it), a row
 * added for a new service and ended for a service the document no longer names.
 */
export async function applyMaintenanceWindow({
  ctx,
  input,
}: Operation<ApplyWindowInput>): Promise<{ change: 'created' | 'updated' | 'unchanged' }> {
  ctx.require('maintenance:write');
  return inTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const wanted = new Map<string, string>();
    const unknown = [];
    for (const [i, name] of input.spec.services.entries()) {
      const service = await services.findService(tx, name);
      if (service) wanted.set(name, service.id);
      else unknown.push({ path: `services.${i}`, message: `no service "${name}"` });
    }
    if (unknown.length > 0) throw new Invalid('unknown service', unknown);
    const timing = timingOf(input.name, input.spec);
    const rows = await q.lockWindowRows(tx, input.name);
    const before = storedView(rows);
    const after = windowView([...wanted.keys()], timing);
    if (before && sameValue(before, after) && rows.every((r) => r.source_file === input.file)) {
      return { change: 'unchanged' };
    }
    const fields = { ...timing, source_file: input.file };
    for (const row of rows) {
      if (row.service && wanted.has(row.service)) {
        await q.updateWindowRow(tx, row.id, fields);
        wanted.delete(row.service);
      } else {
        await q.endSuppression(tx, row.id, now, ctx.actor.name);
      }
    }
    for (const serviceId of wanted.values()) {
      await q.insertSuppression(tx, {
        kind: 'maintenance',
        name: input.name,
        service_id: serviceId,
        matchers: '[]',
        ...fields,
        created_by: ctx.actor.name,
        created_at: now,
      });
    }
    const change = before ? 'updated' : 'created';
    await audit.record(tx, ctx.actor, now, {
      action: `${ENTITY.maintenance}.${change}`,
      entityType: ENTITY.maintenance,
      entityId: input.name,
      before,
      after,
    });
    return { change };
  });
}

/**
 * Ends the windows applied from these files that the files no longer hold (removed from the file
 * means deleted, as for a window ended early: alerts it suppressed keep pointing at it).
 * Returns what it ended: each window's name and file.
 */
export async function endWindowsRemovedFrom({
  ctx,
  input,
}: Operation<{ files: string[]; keep: Set<string> }>): Promise<{ name: string; file: string }[]> {
  return inTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const found = await q.windowNamesFromFiles(tx, input.files);
    const gone = found.flatMap((f) =>
      f.name && !input.keep.has(f.name) ? [{ name: f.name, file: f.source_file ?? '' }] : [],
    );
    if (gone.length > 0) ctx.require('maintenance:write');
    for (const { name } of gone) {
      const rows = await q.lockWindowRows(tx, name);
      for (const row of rows) await q.endSuppression(tx, row.id, now, ctx.actor.name);
      await audit.record(tx, ctx.actor, now, {
        action: `${ENTITY.maintenance}.deleted`,
        entityType: ENTITY.maintenance,
        entityId: name,
        before: storedView(rows),
      });
    }
    return gone;
  });
}
