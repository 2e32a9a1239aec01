import { inTx } from '../../db/tx.ts';
import { Conflict, NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import * as services from './queries.ts';
import {
  type Integration,
  type IntegrationInput,
  integrationInputSchema,
  newIntegrationKey,
} from './services.ts';

/** Adds an inbound integration to a service, with a given or generated 32-character key. */
export async function createIntegration({ ctx, input }: Operation<IntegrationInput>): Promise<Integration> {
  ctx.require('service:write');
  const data = integrationInputSchema.parse(input);
  return inTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const service = await services.findService(tx, data.service);
    if (!service) throw new NotFound('service', data.service);
    const name = data.name ?? data.type;
    if (await services.findIntegration(tx, service.id, name)) {
      throw new Conflict(`service ${service.name} already has an integration named ${name}`);
    }
    const created = await services.insertIntegration(tx, {
      service_id: service.id,
      name,
      type: data.type,
      key: data.key ?? newIntegrationKey(),
      config: JSON.stringify(data.config),
      created_at: now,
    });
    // The key itself stays out of the audit log: it is a secret that senders hold.
    await audit.record(tx, ctx.actor, now, {
      action: 'integration.created',
      entityType: 'integration',
      entityId: created.id,
      after: { service: service.name, name, type: data.type },
    });
    return created;
  });
}
