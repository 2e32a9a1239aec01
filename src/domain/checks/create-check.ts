import { inTx } from '../../db/tx.ts';
import { Conflict, Invalid } from '../../errors.ts';
import { parseDuration } from '../../lib/duration.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import * as services from '../services/queries.ts';
import { type CheckInput, checkInputSchema, publicCheck } from './checks.ts';
import * as checks from './queries.ts';

/** Adds an HTTP check to a service; the engine runs it at once, then every interval. */
export async function createCheck({ ctx, input }: Operation<CheckInput>) {
  ctx.require('check:write');
  const data = checkInputSchema.parse(input);
  return inTx(ctx.db, async (tx) => {
    const service = await services.findService(tx, data.service);
    if (!service) {
      throw new Invalid('unknown service', [
        { path: 'service', message: `no service named "${data.service}"` },
      ]);
    }
    if (await checks.findCheck(tx, data.name)) throw new Conflict(`check ${data.name} already exists`);
    const now = ctx.clock.now();
    const row = await checks.insertCheck(tx, {
      service_id: service.id,
      name: data.name,
      url: data.url,
      method: data.method,
      interval_ms: parseDuration(data.interval),
      timeout_ms: parseDuration(data.timeout),
      expected_status: data.expected_status,
      body_contains: data.body_contains ?? null,
      max_latency_ms: data.max_latency_ms ?? null,
      severity: data.severity,
      next_run_at: now,
      created_at: now,
      updated_at: now,
    });
    const check = publicCheck({ ...row, service_name: service.name });
    await audit.record(tx, ctx.actor, now, {
      action: 'check.created',
      entityType: 'check',
      entityId: row.id,
      after: check,
    });
    return check;
  });
}
